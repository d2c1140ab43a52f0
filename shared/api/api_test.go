package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"gopkg.in/yaml.v3"

	"github.com/veglens/veglens/shared/api"
	"github.com/veglens/veglens/shared/sourcetree"
	"github.com/veglens/veglens/shared/veglens"
)

func TestCodesMapToStatusInOnePlace(t *testing.T) {
	tests := []struct {
		err    error
		status int
		code   api.Code
	}{
		{api.Invalid("count", "bad", nil), 400, api.CodeInvalidInput},
		{api.TooLarge("size", "big"), 400, api.CodeTooLarge},
		{api.Unsupported("contentType", "no", []string{"image/png"}), 400, api.CodeUnsupported},
		{api.NotFound("gone"), 404, api.CodeNotFound},
		{api.Unavailable("database", errors.New("dial tcp: refused")), 503, api.CodeUnavailable},
		{api.Internal(errors.New("nil map")), 500, api.CodeInternal},
		{errors.New("anything else"), 500, api.CodeInternal},
		{fmt.Errorf("wrapped: %w", api.NotFound("gone")), 404, api.CodeNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.err.Error(), func(t *testing.T) {
			resp := api.ErrorResponse(context.Background(), slog.New(slog.DiscardHandler), tc.err)
			var body struct {
				Error map[string]any `json:"error"`
			}
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || body.Error["code"] != string(tc.code) || resp.Headers["Content-Type"] != "application/json" {
				t.Errorf("%d %s", resp.StatusCode, resp.Body)
			}
			if msg, _ := body.Error["message"].(string); msg == "" || (tc.code == api.CodeInternal && msg != api.Internal(nil).Message) {
				t.Errorf("message %q", msg)
			}
		})
	}
	// Causes are for logs, not for callers.
	resp := api.ErrorResponse(context.Background(), slog.New(slog.DiscardHandler), api.Unavailable("database", errors.New("password authentication failed for user veglens")))
	if strings.Contains(resp.Body, "password") {
		t.Errorf("cause leaked to the caller: %s", resp.Body)
	}
}

func TestDecodeJSON(t *testing.T) {
	type body struct {
		Name *string `json:"name"`
		Size *int64  `json:"size"`
	}
	tests := []struct {
		name        string
		contentType string
		body        string
		base64      bool
		parameter   string // "" = success
	}{
		{"ok", "application/json", `{"name":"a","size":3}`, false, ""},
		{"ok with charset", "application/json; charset=utf-8", `{"name":"a"}`, false, ""},
		{"ok base64", "application/json", `{"name":"a"}`, true, ""},
		{"no content type", "", `{"name":"a"}`, false, ""},
		{"form", "application/x-www-form-urlencoded", `name=a`, false, "Content-Type"},
		{"unknown field", "application/json", `{"nom":"a"}`, false, "nom"},
		{"wrong type", "application/json", `{"size":"3"}`, false, "size"},
		{"syntax", "application/json", `{"name":`, false, "body"},
		{"array", "application/json", `[]`, false, "body"},
		{"empty", "application/json", ``, false, "body"},
		{"trailing", "application/json", `{} {}`, false, "body"},
		{"too large", "application/json", `{"name":"` + string(make([]byte, api.MaxBodyBytes)) + `"}`, false, "body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := events.APIGatewayV2HTTPRequest{Headers: map[string]string{}, Body: tc.body}
			if tc.contentType != "" {
				req.Headers["Content-Type"] = tc.contentType
			}
			if tc.base64 {
				req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(tc.body)), true
			}
			var b body
			err := api.DecodeJSON(req, &b)
			if tc.parameter == "" {
				if err != nil || b.Name == nil || *b.Name != "a" {
					t.Errorf("err %v, name %v", err, b.Name)
				}
				return
			}
			var e *api.Error
			if !errors.As(err, &e) || e.Parameter != tc.parameter || e.Message == "" {
				t.Errorf("err = %#v, want parameter %s", err, tc.parameter)
			}
		})
	}
}

func TestOpenAPIVersion(t *testing.T) {
	var doc struct {
		OpenAPI string `yaml:"openapi"`
	}
	if err := yaml.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
}

// TestKindEnumIsTheModelsLabels: the API document (and the site's code
// generated from it) lists exactly the committed model's kinds, in order.
func TestKindEnumIsTheModelsLabels(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas struct {
				Kind struct {
					Enum []string `yaml:"enum"`
				} `yaml:"Kind"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	root, err := sourcetree.Root()
	if err != nil {
		t.Fatal(err)
	}
	meta, err := veglens.ReadModelMeta(filepath.Join(root, "models"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(doc.Components.Schemas.Kind.Enum), fmt.Sprint(meta.Labels); got != want {
		t.Errorf("openapi.yaml's Kind enum is %s, the model's labels are %s: update the enum (the site is generated from it)", got, want)
	}
}

// TestRoutesAreDescribed: every route of the one route table is in the API
// document, and the document describes no other.
func TestRoutesAreDescribed(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	described := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" || method == "summary" || method == "description" {
				continue
			}
			described[strings.ToUpper(method)+" "+path] = true
		}
	}
	routed := map[string]bool{}
	for _, r := range api.Routes {
		routed[r.Key] = true
		if r.Function != api.FunctionUpload && r.Function != api.FunctionQuery {
			t.Errorf("route %s is served by an unknown function %q", r.Key, r.Function)
		}
		if !described[r.Key] {
			t.Errorf("route %s is not in openapi.yaml", r.Key)
		}
	}
	for k := range described {
		if !routed[k] {
			t.Errorf("openapi.yaml describes %s, which no function serves", k)
		}
	}
}
