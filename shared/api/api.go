// Package api holds what the HTTP functions share: the OpenAPI description of
// the HTTP API, one error vocabulary mapped to HTTP status in one place, and
// JSON helpers for API Gateway v2 (HTTP API) events.
package api

import (
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// OpenAPI is the OpenAPI 3.1 description of the HTTP API (openapi.yaml).
//
//go:embed openapi.yaml
var OpenAPI []byte

// Code is a kind of failure, independent of transport.
type Code string

// The error vocabulary. Every failure a caller sees is one of these.
const (
	CodeInvalidInput Code = "invalid_input" // the request is wrong: fix it and retry
	CodeNotFound     Code = "not_found"     // no such thing
	CodeTooLarge     Code = "too_large"     // over a size limit
	CodeUnsupported  Code = "unsupported"   // a type or format we do not handle
	CodeInternal     Code = "internal"      // our bug; retrying will not help
	CodeUnavailable  Code = "unavailable"   // a backing service is down; retry later
	CodeRateLimited  Code = "rate_limited"  // too many requests from this client; retry after RetryAfter
)

// Status maps a Code to its HTTP status. This is the only place that does.
// Too large and unsupported are the client's to fix, so they are 400s like
// any invalid input (the upload contract promises a 400 for both).
func (c Code) Status() int {
	switch c {
	case CodeInvalidInput, CodeTooLarge, CodeUnsupported:
		return http.StatusBadRequest
	case CodeNotFound:
		return http.StatusNotFound
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	case CodeRateLimited:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}

// Error is a failure with a message written for people. Parameter names the
// query parameter, path parameter or body field at fault; Allowed lists the
// values it accepts when they are a closed set.
type Error struct {
	Code      Code     `json:"code"`
	Message   string   `json:"message"`
	Parameter string   `json:"parameter,omitempty"`
	Allowed   []string `json:"allowed,omitempty"`
	// Err is the underlying cause, logged but never shown to callers.
	Err error `json:"-"`
	// RetryAfter, for CodeRateLimited, is when the client may try again
	// (sent as the Retry-After header, RFC 9110 section 10.2.3).
	RetryAfter time.Duration `json:"-"`
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	b.WriteString(": ")
	b.WriteString(e.Message)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Invalid reports a bad parameter. allowed may be nil.
func Invalid(parameter, message string, allowed []string) *Error {
	return &Error{Code: CodeInvalidInput, Message: message, Parameter: parameter, Allowed: allowed}
}

// NotFound reports a missing resource.
func NotFound(message string) *Error {
	return &Error{Code: CodeNotFound, Message: message}
}

// TooLarge reports a size over a limit.
func TooLarge(parameter, message string) *Error {
	return &Error{Code: CodeTooLarge, Message: message, Parameter: parameter}
}

// Unsupported reports a type or format outside the accepted set.
func Unsupported(parameter, message string, allowed []string) *Error {
	return &Error{Code: CodeUnsupported, Message: message, Parameter: parameter, Allowed: allowed}
}

// Internal wraps an unexpected failure. The message shown is generic; err is
// kept for logs.
func Internal(err error) *Error {
	return &Error{Code: CodeInternal, Message: "Something went wrong on our side. Please try again later.", Err: err}
}

// Unavailable wraps a failure of a backing service (database, storage).
func Unavailable(what string, err error) *Error {
	return &Error{Code: CodeUnavailable, Message: fmt.Sprintf("The %s is not reachable right now. Please try again in a moment.", what), Err: err}
}

// RateLimited reports a client over its rate limit; retryAfter is how long
// until its next request is accepted.
func RateLimited(message string, retryAfter time.Duration) *Error {
	return &Error{Code: CodeRateLimited, Message: message, RetryAfter: retryAfter}
}

// AsError turns any error into an *Error: errors that already are one (or
// wrap one) keep their code; anything else is internal.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// UserLabel is a person's own label of a photo as the API shows it (POST
// /api/images/{id}/label answers with it; GET /api/images/{id} includes
// it).
type UserLabel struct {
	ImageID string `json:"imageId"`
	// Kind is the kind given, or "none" (not one of the kinds).
	Kind      string    `json:"kind"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}
