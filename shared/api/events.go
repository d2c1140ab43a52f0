package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// MaxBodyBytes bounds the JSON bodies the API accepts; requests are small.
const MaxBodyBytes = 64 << 10

// JSON builds a response with v encoded as its JSON body. A value that
// cannot be encoded (a programming error, such as a NaN) gives the internal
// error's response instead, and is logged to log with its cause.
func JSON(ctx context.Context, log *slog.Logger, status int, v any) events.APIGatewayV2HTTPResponse {
	body, err := json.Marshal(v)
	if err != nil {
		log.ErrorContext(ctx, "encode response", "err", err)
		status = http.StatusInternalServerError
		body, _ = json.Marshal(errorBody{Error: *Internal(err)})
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers: map[string]string{
			"Content-Type":  "application/json",
			"Cache-Control": "no-store",
		},
		Body: string(body),
	}
}

type errorBody struct {
	Error Error `json:"error"`
}

// ErrorResponse turns err into the API's error body with the status its code
// maps to. Internal and unavailable errors are logged to log with their
// cause; the caller sees only the message meant for people.
func ErrorResponse(ctx context.Context, log *slog.Logger, err error) events.APIGatewayV2HTTPResponse {
	e := AsError(err)
	switch e.Code {
	case CodeInternal, CodeUnavailable:
		log.ErrorContext(ctx, "request failed", "code", string(e.Code), "err", err)
	default:
		log.DebugContext(ctx, "request refused", "code", string(e.Code), "parameter", e.Parameter, "message", e.Message)
	}
	resp := JSON(ctx, log, e.Code.Status(), errorBody{Error: *e})
	if e.RetryAfter > 0 {
		resp.Headers["Retry-After"] = strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds())))
	}
	return resp
}

// Body returns the request body, decoding base64 when API Gateway encoded it.
func Body(req events.APIGatewayV2HTTPRequest) ([]byte, error) {
	if !req.IsBase64Encoded {
		return []byte(req.Body), nil
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, Invalid("body", "The request body is not valid base64.", nil)
	}
	return b, nil
}

// DecodeJSON decodes the request's JSON body into v, refusing bodies that are
// not JSON objects, too large, carry unknown fields or trailing data. Errors
// are *Error values that name the field at fault where possible.
func DecodeJSON(req events.APIGatewayV2HTTPRequest, v any) error {
	if ct := Header(req, "Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return Unsupported("Content-Type", "Send the request body as JSON (Content-Type: application/json).", []string{"application/json"})
		}
	}
	body, err := Body(req)
	if err != nil {
		return err
	}
	if len(body) > MaxBodyBytes {
		return TooLarge("body", fmt.Sprintf("The request body is larger than %d bytes.", MaxBodyBytes))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return Invalid("body", "The request body is empty; send a JSON object.", nil)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Invalid("body", "The request body has data after the JSON object.", nil)
	}
	return nil
}

func jsonError(err error) *Error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return Invalid("body", "The request body must be a JSON object.", nil)
		}
		return Invalid(typeErr.Field, fmt.Sprintf("%q must be a JSON %s.", typeErr.Field, jsonTypeName(typeErr.Type.Kind().String())), nil)
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return Invalid("body", "The request body is not valid JSON.", nil)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return Invalid(field, fmt.Sprintf("%q is not a field this request accepts.", field), nil)
	default:
		return Invalid("body", "The request body could not be read as JSON.", nil)
	}
}

func jsonTypeName(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "integer"
	case "float32", "float64":
		return "number"
	case "slice", "array":
		return "array"
	default:
		return "object"
	}
}

// Header returns a request header, matching its name case-insensitively
// (API Gateway v2 lower-cases names; local callers may not).
func Header(req events.APIGatewayV2HTTPRequest, name string) string {
	if v, ok := req.Headers[name]; ok {
		return v
	}
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// Method returns the request's HTTP method.
func Method(req events.APIGatewayV2HTTPRequest) string {
	return strings.ToUpper(req.RequestContext.HTTP.Method)
}

// Path returns the request's path without query string.
func Path(req events.APIGatewayV2HTTPRequest) string {
	if req.RawPath != "" {
		return req.RawPath
	}
	return req.RequestContext.HTTP.Path
}
