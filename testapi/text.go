package testapi

import "fmt"

// quoteValue quotes v for a message and cuts it short: values come from
// the network and may be long or contain escapes.
func quoteValue(v string) string {
	const limit = 80
	r := []rune(v)
	if len(r) > limit {
		return fmt.Sprintf("%q…", string(r[:limit]))
	}
	return fmt.Sprintf("%q", v)
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}
