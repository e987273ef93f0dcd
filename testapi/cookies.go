package testapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/fileerr"
)

// setCookie serves /set-cookie (see the package documentation).
func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request) {
	if !builtinCORS(w, r) {
		return
	}
	q := r.URL.Query()
	name, value := q.Get("name"), q.Get("value")
	if value == "" {
		value = "1"
	}
	c := &http.Cookie{Name: name, Value: value, Path: "/", Secure: true, SameSite: http.SameSiteNoneMode}
	if v := q.Get("secure"); v != "" {
		secure, err := parseBool(v)
		if err != nil {
			http.Error(w, fmt.Sprintf("bad secure=%s: want 1 or 0", fileerr.Quote(v)), http.StatusBadRequest)
			return
		}
		if !secure {
			c.Secure, c.SameSite = false, http.SameSiteLaxMode
		}
	}
	if v := q.Get("partitioned"); v != "" {
		p, err := parseBool(v)
		if err != nil {
			http.Error(w, fmt.Sprintf("bad partitioned=%s: want 1 or 0", fileerr.Quote(v)), http.StatusBadRequest)
			return
		}
		c.Partitioned = p
	}
	if err := c.Valid(); err != nil || !cors.IsToken(name) {
		http.Error(w, fmt.Sprintf("bad cookie name=%s value=%s: a cookie name is a token and its value has no spaces, quotes, commas or semicolons",
			fileerr.Quote(name), fileerr.Quote(value)), http.StatusBadRequest)
		return
	}
	http.SetCookie(w, c)
	writeJSON(w, map[string]any{"set": c.Name, "cookie": c.String()})
}

// cookies serves /cookies: the cookies the request carried.
func (h *Handler) cookies(w http.ResponseWriter, r *http.Request) {
	if !builtinCORS(w, r) {
		return
	}
	type kv struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	list := []kv{}
	for _, c := range r.Cookies() {
		list = append(list, kv{c.Name, c.Value})
	}
	writeJSON(w, map[string]any{"cookies": list})
}

// builtinCORS lets any origin call the cookie endpoints with credentials and
// answers their preflights; it returns false when the request is done.
func builtinCORS(w http.ResponseWriter, r *http.Request) bool {
	hdr := w.Header()
	hdr.Add("Vary", "Origin")
	if o := r.Header.Get("Origin"); o != "" {
		hdr.Set("Access-Control-Allow-Origin", o)
		hdr.Set("Access-Control-Allow-Credentials", "true")
	}
	if isPreflight(r) {
		hdr.Set("Access-Control-Allow-Methods", "GET, POST")
		if reqHdrs := r.Header.Get("Access-Control-Request-Headers"); reqHdrs != "" && !hasControl(reqHdrs) {
			hdr.Set("Access-Control-Allow-Headers", reqHdrs)
		}
		w.WriteHeader(http.StatusNoContent)
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(v)
}
