package ui

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
)

// ShareFields are the form's fields a share link may carry: the JSON names
// of Request, which the page's script lists too (a test keeps them equal).
func ShareFields() []string {
	t := reflect.TypeFor[Request]()
	out := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}

// LinkError is a share link that is not one.
type LinkError struct {
	Link, Reason string
}

func (e *LinkError) Error() string {
	return fmt.Sprintf("LINK %q: not a share link: %s", e.Link, e.Reason)
}

// Hint says where a share link comes from.
func (e *LinkError) Hint() string {
	return "pass a link the page's Share link gave: its part after # names url=, origin=, method=…"
}

// ShareFragment is the request part of a share link: what follows # (or
// the whole text when it has no #), checked to be a query string that
// names a field of the form. A link with none would open an empty form as
// if it had worked.
func ShareFragment(link string) (string, error) {
	frag := link
	if _, after, ok := strings.Cut(link, "#"); ok {
		frag = after
	}
	q, err := url.ParseQuery(frag)
	if err != nil {
		return "", &LinkError{Link: link, Reason: err.Error()}
	}
	if frag == "" {
		return "", nil
	}
	for _, k := range ShareFields() {
		if q.Has(k) {
			return frag, nil
		}
	}
	return "", &LinkError{Link: link, Reason: "it names no field of the form"}
}
