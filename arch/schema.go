package arch

import _ "embed"

// Schema is the JSON Schema (draft 2020-12) of an architecture spec, for
// editors to check and complete spec files; Parse remains the authority
// and also checks what a schema cannot express.
//
//go:embed schema.json
var Schema []byte
