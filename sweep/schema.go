package sweep

import _ "embed"

// Schema is the JSON Schema (draft 2020-12) of a sweep spec, for editors to
// check and complete spec files; ParseSpec remains the authority and also
// checks what a schema cannot express.
//
//go:embed schema.json
var Schema []byte
