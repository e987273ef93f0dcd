package scenarios

import "github.com/corsproof/corsproof/internal/fileerr"

// The error types below are the kinds of problem a suite or HAR file can
// have. Each embeds the one positioned problem type every file format
// shares, so callers can switch on the kind with errors.As and still list
// every problem, with its position, through fileerr.Problems.

// SyntaxError is malformed YAML, or YAML that is not valid UTF-8.
type SyntaxError struct{ fileerr.Problem }

// UnknownKeyError is a key the suite format does not define.
type UnknownKeyError struct{ fileerr.Problem }

// DuplicateKeyError is a key given twice in one mapping (for headers:
// names that differ only in case).
type DuplicateKeyError struct{ fileerr.Problem }

// TypeError is a value of the wrong YAML type, such as a list where a
// string belongs.
type TypeError struct{ fileerr.Problem }

// MissingError is a required field that is absent or empty.
type MissingError struct{ fileerr.Problem }

// VersionError is a suite version this build does not understand.
type VersionError struct{ fileerr.Problem }

// DuplicateNameError is a case name used twice in one file.
type DuplicateNameError struct{ fileerr.Problem }

// EnumError is a value outside a closed set: api, credentials, mode,
// verdict, cors_error.
type EnumError struct{ fileerr.Problem }

// OriginError is a malformed page origin.
type OriginError struct{ fileerr.Problem }

// URLError is a malformed request URL or target.
type URLError struct{ fileerr.Problem }

// MethodError is a request method that is not an HTTP token or that
// browsers refuse to send.
type MethodError struct{ fileerr.Problem }

// HeaderError is a header name or value a browser would refuse or drop.
type HeaderError struct{ fileerr.Problem }

// ConflictError is a combination of fields that cannot run as written, such
// as a body on a GET or mode with api xhr.
type ConflictError struct{ fileerr.Problem }

// RangeError is a number outside its allowed range.
type RangeError struct{ fileerr.Problem }
