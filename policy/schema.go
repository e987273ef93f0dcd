package policy

import _ "embed"

//go:embed policy.schema.json
var schema []byte

// Schema returns the JSON Schema (draft 2020-12) of the policy format.
func Schema() []byte {
	return append([]byte(nil), schema...)
}
