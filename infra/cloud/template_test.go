package cloud_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/events"
	"gopkg.in/yaml.v3"

	"github.com/veglens/veglens/functions/migrate/migration"
	"github.com/veglens/veglens/shared/api"
	"github.com/veglens/veglens/shared/metrics"
	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
	"github.com/veglens/veglens/shared/veglens"
)

// functions maps each function of template.yaml to its folder under
// functions/. A function added to the template must be added here.
var functions = []struct {
	logicalID string
	dir       string
}{
	{"UploadFunction", "upload"},
	{"ClassifyFunction", "classify"},
	{"QueryFunction", "query"},
	{"SweepFunction", "sweep"},
	{"MigrateFunction", "migrate"},
}

// localOnly are variables that must stay unset in AWS (contract: empty there).
var localOnly = []string{"S3_ENDPOINT", "S3_PUBLIC_ENDPOINT", "DATABASE_URL"}

// ---------------------------------------------------------------- helpers

// node is a YAML node with lookups that tolerate SAM's intrinsic-function
// tags (!Ref, !Sub, !If, ...): yaml.v3 keeps them as tags on plain nodes.
type node struct{ *yaml.Node }

func (n node) get(keys ...string) node {
	cur := n.Node
	for _, k := range keys {
		if cur == nil || cur.Kind != yaml.MappingNode {
			return node{}
		}
		var next *yaml.Node
		for i := 0; i+1 < len(cur.Content); i += 2 {
			if cur.Content[i].Value == k {
				next = cur.Content[i+1]
				break
			}
		}
		cur = next
	}
	return node{cur}
}

func (n node) ok() bool { return n.Node != nil }

func (n node) str() string {
	if n.Node == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// pairs returns a mapping's keys and values in order.
func (n node) pairs() (keys []string, values []node) {
	if n.Node == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
		values = append(values, node{n.Content[i+1]})
	}
	return keys, values
}

func (n node) items() []node {
	if n.Node == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]node, len(n.Content))
	for i, c := range n.Content {
		out[i] = node{c}
	}
	return out
}

func loadYAML(t *testing.T, path string) node {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	if len(doc.Content) != 1 {
		t.Fatalf("%s: want one YAML document", path)
	}
	return node{doc.Content[0]}
}

func loadTemplate(t *testing.T) node {
	t.Helper()
	return loadYAML(t, filepath.Join(sourcetreetest.Path(t), "template.yaml"))
}

// resourcesOfType returns the logical ids of resources of one type.
func resourcesOfType(tpl node, typ string) []string {
	var ids []string
	keys, values := tpl.get("Resources").pairs()
	for i, k := range keys {
		if values[i].get("Type").str() == typ {
			ids = append(ids, k)
		}
	}
	return ids
}

// functionEnv is a function's environment: Globals merged with its own.
func functionEnv(tpl node, logicalID string) map[string]node {
	env := map[string]node{}
	for _, vars := range []node{
		tpl.get("Globals", "Function", "Environment", "Variables"),
		tpl.get("Resources", logicalID, "Properties", "Environment", "Variables"),
	} {
		keys, values := vars.pairs()
		for i, k := range keys {
			env[k] = values[i]
		}
	}
	return env
}

func parseGo(t *testing.T, path string) *ast.File {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return f
}

func stringArgs(call *ast.CallExpr) []string {
	var out []string
	for _, a := range call.Args {
		if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil {
				out = append(out, s)
			}
		}
	}
	return out
}

func callName(call *ast.CallExpr) string {
	switch fn := call.Fun.(type) {
	case *ast.SelectorExpr:
		return fn.Sel.Name
	case *ast.Ident:
		return fn.Name
	}
	return ""
}

var envName = regexp.MustCompile(`^[A-Z][A-Z0-9_]+$`)

// configFields maps each field of shared/config's Config to the variable it
// is read from (the first word of the field's comment, e.g. "// MODEL_DIR: ...").
func configFields(t *testing.T, root string) map[string]string {
	t.Helper()
	f := parseGo(t, filepath.Join(root, "shared", "config", "config.go"))
	fields := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != "Config" {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return false
		}
		for _, fld := range st.Fields.List {
			if fld.Comment == nil || len(fld.Names) == 0 {
				continue
			}
			word := strings.TrimRight(strings.Fields(fld.Comment.Text())[0], ":")
			if envName.MatchString(word) {
				for _, name := range fld.Names {
					fields[name.Name] = word
				}
			}
		}
		return false
	})
	if len(fields) == 0 {
		t.Fatal("no documented fields found in shared/config.Config")
	}
	return fields
}

// neededEnv lists the variables a function's main needs set in AWS: those it
// requires (cfg.Require("X")), those behind the Config fields and methods it
// uses, and any it reads itself (os.Getenv/LookupEnv in its own packages).
// Variables with defaults that it never uses explicitly are not listed.
func neededEnv(t *testing.T, root, dir string, fields map[string]string) []string {
	t.Helper()
	methods := map[string][]string{
		"Connect":    {"DATABASE_SECRET_ARN"}, // DATABASE_URL locally; the secret in AWS
		"ResolveURL": {"DATABASE_SECRET_ARN"},
	}
	need := map[string]bool{}
	err := filepath.WalkDir(filepath.Join(root, "functions", dir), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f := parseGo(t, path)
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				switch name := callName(x); name {
				case "Require", "Getenv", "LookupEnv", "getenv":
					for _, s := range stringArgs(x) {
						if envName.MatchString(s) {
							need[s] = true
						}
					}
				default:
					for _, v := range methods[name] {
						need[v] = true
					}
				}
			case *ast.SelectorExpr:
				if v, ok := fields[x.Sel.Name]; ok {
					need[v] = true
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range localOnly {
		delete(need, v)
	}
	out := make([]string, 0, len(need))
	for v := range need {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// ---------------------------------------------------------------- tests

// Every function in the template is one of ours, built by a Makefile target
// from a main package that exists; the layer's target fills /opt/lib and
// /opt/model where classify looks.
func TestTemplate_FunctionsBuildFromTheirPackages(t *testing.T) {
	root := sourcetreetest.Path(t)
	tpl := loadTemplate(t)

	var listed []string
	for _, f := range functions {
		listed = append(listed, f.logicalID)
	}
	inTemplate := resourcesOfType(tpl, "AWS::Serverless::Function")
	sort.Strings(listed)
	sort.Strings(inTemplate)
	if !slices.Equal(listed, inTemplate) {
		t.Fatalf("template functions %v, this test knows %v: add the new one to the table", inTemplate, listed)
	}
	handler := tpl.get("Globals", "Function", "Handler").str()

	for _, f := range functions {
		t.Run(f.logicalID, func(t *testing.T) {
			res := tpl.get("Resources", f.logicalID)
			if got := res.get("Metadata", "BuildMethod").str(); got != "makefile" {
				t.Errorf("Metadata.BuildMethod = %q, want makefile (sam build without Docker)", got)
			}
			if got := res.get("Properties", "CodeUri").str(); got != "." {
				t.Errorf("CodeUri = %q, want . (the Makefile at the repository root)", got)
			}
			if h := res.get("Properties", "Handler").str(); h != "" {
				handler = h
			}
			if handler != "bootstrap" {
				t.Errorf("Handler = %q, want bootstrap (provided.al2023)", handler)
			}
			out, err := exec.Command("make", "-C", root, "-n", "build-"+f.logicalID, "ARTIFACTS_DIR=/artifacts").CombinedOutput()
			if err != nil {
				t.Fatalf("make -n build-%s: %v\n%s", f.logicalID, err, out)
			}
			if !strings.Contains(string(out), "./functions/"+f.dir) || !strings.Contains(string(out), "-o /artifacts/bootstrap") {
				t.Errorf("build-%s does not build ./functions/%s into $(ARTIFACTS_DIR)/bootstrap:\n%s", f.logicalID, f.dir, out)
			}
			if !strings.Contains(string(out), "GOOS=linux") {
				t.Errorf("build-%s does not cross-compile for Linux:\n%s", f.logicalID, out)
			}
			main := filepath.Join(root, "functions", f.dir, "main.go")
			src := parseGo(t, main)
			if src.Name.Name != "main" {
				t.Errorf("%s is package %s, want main", main, src.Name.Name)
			}
			starts := false
			ast.Inspect(src, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok {
					if s, ok := c.Fun.(*ast.SelectorExpr); ok && s.Sel.Name == "Start" {
						if id, ok := s.X.(*ast.Ident); ok && id.Name == "lambda" {
							starts = true
						}
					}
				}
				return true
			})
			if !starts {
				t.Errorf("%s never calls lambda.Start", main)
			}
		})
	}

	t.Run("ModelLayer", func(t *testing.T) {
		if tpl.get("Resources", "ModelLayer", "Metadata", "BuildMethod").str() != "makefile" {
			t.Error("ModelLayer is not built with the makefile method")
		}
		out, err := exec.Command("make", "-C", root, "-n", "build-ModelLayer", "ARTIFACTS_DIR=/artifacts").CombinedOutput()
		if err != nil {
			t.Fatalf("make -n build-ModelLayer: %v\n%s", err, out)
		}
		// Layers are mounted at /opt: the target's lib/ and model/ must be
		// where the classify function's variables point.
		env := functionEnv(tpl, "ClassifyFunction")
		for _, want := range []struct{ copied, envVar, inLambda string }{
			{"/artifacts/lib/libonnxruntime.so.1", "ORT_LIB", "/opt/lib/libonnxruntime.so.1"},
			{"/artifacts/model/", "MODEL_DIR", "/opt/model"},
		} {
			if !strings.Contains(string(out), want.copied) {
				t.Errorf("build-ModelLayer does not produce %s:\n%s", want.copied, out)
			}
			if got := env[want.envVar].str(); got != want.inLambda {
				t.Errorf("classify %s = %q, want %q (the layer's path under /opt)", want.envVar, got, want.inLambda)
			}
		}
		for _, file := range []string{"veglens.onnx", "model.json", "metrics.json", "similarity.json", "references.f32"} {
			if !strings.Contains(string(out), "models/"+file) {
				t.Errorf("build-ModelLayer does not copy models/%s", file)
			}
		}
	})
}

// Each function finds every variable it needs in the template, no function
// gets a local-only variable, and the template sets nothing a function
// ignores.
func TestTemplate_FunctionEnvironment(t *testing.T) {
	root := sourcetreetest.Path(t)
	tpl := loadTemplate(t)
	fields := configFields(t, root)
	globals := map[string]bool{}
	keys, _ := tpl.get("Globals", "Function", "Environment", "Variables").pairs()
	for _, k := range keys {
		globals[k] = true
	}

	for _, f := range functions {
		t.Run(f.logicalID, func(t *testing.T) {
			env := functionEnv(tpl, f.logicalID)
			need := neededEnv(t, root, f.dir, fields)
			if len(need) == 0 {
				t.Fatalf("found no variables that functions/%s needs: the scan is broken", f.dir)
			}
			for _, v := range need {
				if n, ok := env[v]; !ok || (n.Kind == yaml.ScalarNode && n.Tag == "!!str" && n.Value == "") {
					t.Errorf("functions/%s needs %s, the template does not set it", f.dir, v)
				}
			}
			for _, v := range localOnly {
				if _, ok := env[v]; ok {
					t.Errorf("%s is set for %s; it is for local runs only", v, f.logicalID)
				}
			}
			own, _ := tpl.get("Resources", f.logicalID, "Properties", "Environment", "Variables").pairs()
			for _, v := range own {
				if !slices.Contains(need, v) && !optionalEnv[v] {
					t.Errorf("template sets %s for %s, which functions/%s never uses", v, f.logicalID, f.dir)
				}
			}
		})
	}
	for v := range globals {
		used := false
		for _, f := range functions {
			if slices.Contains(neededEnv(t, root, f.dir, fields), v) || optionalEnv[v] {
				used = true
			}
		}
		if !used {
			t.Errorf("Globals set %s, which no function uses", v)
		}
	}
}

// optionalEnv have defaults (config.FromEnv reads them for every function).
var optionalEnv = map[string]bool{"LOG_LEVEL": true, "UPLOAD_EXPIRY": true}

// The bucket notifies classify for exactly the prefixes the upload function
// writes and classify labels, never for the thumbnails classify writes
// (which would invoke it again for its own output, forever), and the
// lifecycle rules expire user uploads where they really are.
func TestTemplate_S3EventsMatchObjectKeys(t *testing.T) {
	tpl := loadTemplate(t)
	var prefixes []string
	keys, events := tpl.get("Resources", "ClassifyFunction", "Properties", "Events").pairs()
	for i, ev := range events {
		if ev.get("Type").str() != "S3" {
			continue
		}
		p := ev.get("Properties")
		if b := p.get("Bucket"); b.Tag != "!Ref" || b.Value != "ImagesBucket" {
			t.Errorf("event %s: bucket is not !Ref ImagesBucket", keys[i])
		}
		if got := p.get("Events").str(); got != "s3:ObjectCreated:*" {
			t.Errorf("event %s: Events = %q, want s3:ObjectCreated:*", keys[i], got)
		}
		for _, r := range p.get("Filter", "S3Key", "Rules").items() {
			if r.get("Name").str() == "prefix" {
				prefixes = append(prefixes, r.get("Value").str())
			}
		}
	}
	sort.Strings(prefixes)
	want := []string{veglens.DatasetPrefix, veglens.UploadPrefix}
	sort.Strings(want)
	if !slices.Equal(prefixes, want) {
		t.Errorf("classify is notified for %q, its handler labels %q", prefixes, want)
	}

	tests := []struct {
		name   string
		key    string
		notify bool
	}{
		{"key the upload function generates", veglens.UploadKey("0b7e3f6a-6d1c-4a59-9a43-2f5e8f1f7c11", "jpg"), true},
		{"gallery image", veglens.DatasetKey("Tomato", "0042.jpg"), true},
		{"thumbnail of an upload", veglens.ThumbnailKey(veglens.UploadKey("0b7e3f6a-6d1c-4a59-9a43-2f5e8f1f7c11", "png")), false},
		{"thumbnail of a gallery image", veglens.ThumbnailKey(veglens.DatasetKey("Tomato", "0042.jpg")), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			notified := slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(tc.key, p) })
			if notified != tc.notify {
				t.Errorf("object %q notifies classify = %v, want %v", tc.key, notified, tc.notify)
			}
		})
	}

	expiring := map[string]bool{}
	for _, r := range tpl.get("Resources", "ImagesBucket", "Properties", "LifecycleConfiguration", "Rules").items() {
		if r.get("ExpirationInDays").ok() {
			expiring[r.get("Prefix").str()] = true
		}
	}
	for _, p := range []string{veglens.UploadPrefix, veglens.ThumbnailPrefix + veglens.UploadPrefix} {
		if !expiring[p] {
			t.Errorf("no lifecycle rule expires %s", p)
		}
	}
	for p := range expiring {
		if p == "" || strings.HasPrefix(veglens.DatasetPrefix, p) || strings.HasPrefix(veglens.ThumbnailPrefix+veglens.DatasetPrefix, p) {
			t.Errorf("lifecycle rule with prefix %q would delete the gallery", p)
		}
	}
}

// The HTTP API routes every operation of the OpenAPI description (CloudFront
// forwards /api/* as it is), uploads to the upload function, exactly as
// api.Routes does.
func TestTemplate_RoutesMatchOpenAPI(t *testing.T) {
	root := sourcetreetest.Path(t)
	tpl := loadTemplate(t)
	spec := loadYAML(t, filepath.Join(root, "shared", "api", "openapi.yaml"))

	var described []string
	paths, items := spec.get("paths").pairs()
	for i, p := range paths {
		methods, _ := items[i].pairs()
		for _, m := range methods {
			switch m {
			case "get", "put", "post", "delete", "patch", "head", "options":
				described = append(described, strings.ToUpper(m)+" "+p)
			}
		}
	}
	routed := map[string]string{}
	for _, f := range functions {
		names, events := tpl.get("Resources", f.logicalID, "Properties", "Events").pairs()
		for i, ev := range events {
			if ev.get("Type").str() != "HttpApi" {
				continue
			}
			p := ev.get("Properties")
			if id := p.get("ApiId"); id.Tag != "!Ref" || id.Value != "HttpApi" {
				t.Errorf("%s.%s is not on the HttpApi", f.logicalID, names[i])
			}
			route := strings.ToUpper(p.get("Method").str()) + " " + p.get("Path").str()
			if prev, dup := routed[route]; dup {
				t.Errorf("%s routed twice (%s, %s)", route, prev, f.dir)
			}
			routed[route] = f.dir
		}
	}
	var routes []string
	for r := range routed {
		routes = append(routes, r)
	}
	sort.Strings(described)
	sort.Strings(routes)
	if !slices.Equal(described, routes) {
		t.Errorf("OpenAPI describes %q\nthe template routes %q", described, routes)
	}
	if routed["POST /api/uploads"] != "upload" {
		t.Errorf("POST /api/uploads goes to %q, want the upload function", routed["POST /api/uploads"])
	}
	// api.Routes, which the local gateway serves, is the same table: the
	// same routes, each to the same function.
	table := map[string]string{}
	for _, r := range api.Routes {
		table[r.Key] = r.Function
	}
	for route, fn := range routed {
		if table[route] != fn {
			t.Errorf("the template routes %s to %q, api.Routes to %q", route, fn, table[route])
		}
	}
	for route, fn := range table {
		if _, ok := routed[route]; !ok {
			t.Errorf("api.Routes sends %s to %q, the template does not route it", route, fn)
		}
	}
	if tpl.get("Resources", "SiteDistribution", "Properties", "DistributionConfig", "CacheBehaviors").items()[0].get("PathPattern").str() != "/api/*" {
		t.Error("CloudFront's first cache behaviour is not /api/*")
	}
}

// The alarms and dashboard watch metrics the functions really emit, in the
// namespace and dimension shared/metrics writes.
func TestTemplate_MetricsMatchEmitted(t *testing.T) {
	root := sourcetreetest.Path(t)
	tpl := loadTemplate(t)

	// Metric names the functions emit: metrics.Metric{Name: "..."} literals.
	emitted := map[string]bool{}
	err := filepath.WalkDir(filepath.Join(root, "functions"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		ast.Inspect(parseGo(t, path), func(n ast.Node) bool {
			kv, ok := n.(*ast.KeyValueExpr)
			if !ok {
				return true
			}
			if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Name" {
				if lit, ok := kv.Value.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					emitted[s] = true
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	alarm := tpl.get("Resources", "ClassifyP99Alarm", "Properties")
	if got := alarm.get("Namespace").str(); got != metrics.Namespace {
		t.Errorf("p99 alarm namespace %q, metrics are written to %q", got, metrics.Namespace)
	}
	if name := alarm.get("MetricName").str(); !emitted[name] {
		t.Errorf("p99 alarm watches %q, which no function emits", name)
	}
	if alarm.get("ExtendedStatistic").str() != "p99" {
		t.Error("classify time alarm is not on p99")
	}
	dims := alarm.get("Dimensions").items()
	if len(dims) != 1 || dims[0].get("Name").str() != "Function" || dims[0].get("Value").str() != "classify" {
		t.Error("p99 alarm dimensions are not Function=classify, as metrics.New(w, \"classify\") writes")
	}

	// Dashboard: a !Sub JSON body; ${...} become plain text to parse it.
	body := tpl.get("Resources", "Dashboard", "Properties", "DashboardBody").str()
	body = regexp.MustCompile(`\$\{[^}]+\}`).ReplaceAllString(body, "x")
	var dash struct {
		Widgets []struct {
			Properties struct {
				Metrics [][]any `json:"metrics"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(body), &dash); err != nil {
		t.Fatalf("dashboard body is not JSON: %v", err)
	}
	seen := 0
	for _, w := range dash.Widgets {
		ns := ""
		for _, m := range w.Properties.Metrics {
			// A metric row: namespace, name, dimension pairs; "." repeats the
			// row above, "..." repeats all but the last value.
			if len(m) < 2 {
				continue
			}
			if s, _ := m[0].(string); s != "." && s != "..." {
				ns = s
			}
			name, _ := m[1].(string)
			if ns != metrics.Namespace || m[0] == "..." {
				continue
			}
			seen++
			if !emitted[name] {
				t.Errorf("dashboard shows %s/%s, which no function emits", ns, name)
			}
		}
	}
	if seen == 0 {
		t.Errorf("dashboard shows no %s metric", metrics.Namespace)
	}
}

// The sample events in events/ (for `sam local invoke`) are well-formed
// events of their function's type and address what the template routes and
// notifies; every function has at least one.
func TestEvents_MatchTemplate(t *testing.T) {
	root := sourcetreetest.Path(t)
	tpl := loadTemplate(t)
	files, err := filepath.Glob(filepath.Join(root, "events", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no events/*.json (%v)", err)
	}
	routes := map[string]string{} // "GET /api/images" -> function folder
	for _, f := range functions {
		_, evs := tpl.get("Resources", f.logicalID, "Properties", "Events").pairs()
		for _, ev := range evs {
			if ev.get("Type").str() == "HttpApi" {
				p := ev.get("Properties")
				routes[p.get("Method").str()+" "+p.get("Path").str()] = f.dir
			}
		}
	}
	covered := map[string]bool{}
	strict := func(t *testing.T, b []byte, v any) {
		t.Helper()
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			t.Fatalf("does not decode as %T: %v", v, err)
		}
	}
	for _, path := range files {
		name := filepath.Base(path)
		dir, _, _ := strings.Cut(strings.TrimSuffix(name, ".json"), "-")
		covered[dir] = true
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			switch dir {
			case "upload", "query":
				var ev events.APIGatewayV2HTTPRequest
				strict(t, b, &ev)
				if got := routes[ev.RouteKey]; got != dir {
					t.Errorf("routeKey %q goes to %q, not the %s function", ev.RouteKey, got, dir)
				}
				if ev.RequestContext.HTTP.Method+" "+ev.RawPath == "" || ev.RequestContext.RouteKey != ev.RouteKey {
					t.Error("requestContext does not repeat the route")
				}
			case "classify":
				var ev events.S3Event
				strict(t, b, &ev)
				if len(ev.Records) == 0 {
					t.Fatal("no records")
				}
				for _, r := range ev.Records {
					key, err := url.QueryUnescape(r.S3.Object.Key)
					if err != nil {
						t.Fatalf("key %q is not URL-encoded properly: %v", r.S3.Object.Key, err)
					}
					if !strings.HasPrefix(key, veglens.UploadPrefix) && !strings.HasPrefix(key, veglens.DatasetPrefix) {
						t.Errorf("key %q is outside the prefixes classify is notified for", key)
					}
					if !strings.HasPrefix(r.EventName, "ObjectCreated:") {
						t.Errorf("eventName %q is not an ObjectCreated event", r.EventName)
					}
					if !strings.HasPrefix(r.S3.Bucket.Name, "veglens-images-") || !strings.HasSuffix(r.S3.Bucket.Name, "-"+r.AWSRegion) {
						t.Errorf("bucket %q is not the images bucket name the template computes for stack veglens in %s", r.S3.Bucket.Name, r.AWSRegion)
					}
				}
			case "sweep":
				if !strings.Contains(string(b), `"Records"`) {
					var ev events.EventBridgeEvent
					strict(t, b, &ev)
					if ev.Source != "aws.events" || ev.DetailType != "Scheduled Event" {
						t.Errorf("source %q, detail-type %q: not the schedule's event", ev.Source, ev.DetailType)
					}
					break
				}
				var ev events.S3Event
				strict(t, b, &ev)
				for _, r := range ev.Records {
					if !strings.HasPrefix(r.EventName, "ObjectRemoved:") && !strings.HasPrefix(r.EventName, "LifecycleExpiration:") {
						t.Errorf("eventName %q is not a removal the sweep is notified of", r.EventName)
					}
				}
			case "migrate":
				// CloudFormation also sends a top-level ServiceToken, which
				// cfn.Event does not model, so this decode is not strict.
				var ev cfn.Event
				if err := json.Unmarshal(b, &ev); err != nil {
					t.Fatal(err)
				}
				if ev.RequestType == "" || ev.ResponseURL == "" || ev.StackID == "" || ev.RequestID == "" {
					t.Error("RequestType, ResponseURL, StackId and RequestId are all required")
				}
				res := tpl.get("Resources", ev.LogicalResourceID)
				if res.get("Type").str() != ev.ResourceType {
					t.Errorf("event is for %s %s, the template has type %q", ev.ResourceType, ev.LogicalResourceID, res.get("Type").str())
				}
				if tok := res.get("Properties", "ServiceToken"); tok.Tag != "!GetAtt" || tok.Value != "MigrateFunction.Arn" {
					t.Errorf("%s is not served by MigrateFunction", ev.LogicalResourceID)
				}
				if ev.PhysicalResourceID != migration.PhysicalID {
					t.Errorf("PhysicalResourceId %q, the function always answers %q", ev.PhysicalResourceID, migration.PhysicalID)
				}
			default:
				t.Errorf("%s: name it <function>[-case].json with a function of %v", name, functions)
			}
		})
	}
	for _, f := range functions {
		if !covered[f.dir] {
			t.Errorf("no sample event for %s (events/%s*.json)", f.logicalID, f.dir)
		}
	}
}

// The migration custom resource runs in the VPC: before its first run the
// Secrets Manager endpoint (the password) and the S3 gateway endpoint (its
// answer to CloudFormation is a presigned S3 URL) must exist, or the deploy
// hangs until CloudFormation's hour-long timeout. Nothing orders them but
// references, so the resource must reference both and the database secret.
func TestTemplate_MigrationWaitsForTheNetwork(t *testing.T) {
	tpl := loadTemplate(t)
	res := tpl.get("Resources", "DatabaseMigration")
	if tok := res.get("Properties", "ServiceToken"); tok.Tag != "!GetAtt" || tok.Value != "MigrateFunction.Arn" {
		t.Fatal("DatabaseMigration is not served by MigrateFunction")
	}
	refs := map[string]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return
		}
		if n.Tag == "!Ref" || n.Tag == "!GetAtt" {
			refs[strings.SplitN(n.Value, ".", 2)[0]] = true
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(res.Node)
	for _, dep := range []string{"SecretsManagerEndpoint", "S3GatewayEndpoint", "PrivateSubnetARouteTable", "PrivateSubnetBRouteTable", "DatabaseSecretAttachment", "DeployId"} {
		if !refs[dep] {
			t.Errorf("DatabaseMigration does not reference %s", dep)
		}
	}
}
