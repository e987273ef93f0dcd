package harness

import "encoding/json"

// jsonValue carries a JavaScript result as raw JSON, so each driver can
// hand back the page's value and the caller decides its Go type.
type jsonValue []byte

// UnmarshalJSON keeps the raw bytes.
func (v *jsonValue) UnmarshalJSON(b []byte) error {
	*v = append((*v)[:0], b...)
	return nil
}

func (v jsonValue) decode(out any) error {
	return json.Unmarshal(v, out)
}
