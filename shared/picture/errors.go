package picture

import "fmt"

// ErrorKind says why an input picture was refused. Its value is a short
// lower-case word suitable for logs and API responses.
type ErrorKind string

// The reasons Decode refuses an input.
const (
	// Empty: no bytes at all.
	Empty ErrorKind = "empty"
	// Unsupported: not one of the accepted formats (JPEG, PNG, WebP, GIF).
	Unsupported ErrorKind = "unsupported"
	// Corrupt: the format is recognised but the data is damaged or truncated.
	Corrupt ErrorKind = "corrupt"
	// TooLarge: more pixels (or bytes) than the limits allow.
	TooLarge ErrorKind = "too_large"
	// TooSmall: a side shorter than the limits allow.
	TooSmall ErrorKind = "too_small"
)

// InputError is the error Decode returns for a picture it refuses. Use
// errors.As to get at the Kind; Error() is a sentence meant for the person
// who uploaded the picture.
type InputError struct {
	Kind ErrorKind
	// Msg explains the refusal in plain words.
	Msg string
	// Err is the underlying decoder error, if any.
	Err error
}

func (e *InputError) Error() string { return e.Msg }

// Unwrap returns the underlying decoder error, if any.
func (e *InputError) Unwrap() error { return e.Err }

func inputErrorf(kind ErrorKind, cause error, format string, args ...any) *InputError {
	return &InputError{Kind: kind, Msg: fmt.Sprintf(format, args...), Err: cause}
}
