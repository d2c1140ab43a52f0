package api

// The Lambda functions that serve HTTP routes (template.yaml's UploadFunction
// and QueryFunction).
const (
	FunctionUpload = "upload"
	FunctionQuery  = "query"
)

// Route is one HTTP API route: an API Gateway route key
// ("GET /api/images/{id}") and the function that serves it.
type Route struct {
	Key      string
	Function string
}

// Routes is the one route table: the cloud's API Gateway (template.yaml,
// checked by a test) and the local gateway serve exactly these, each by the
// same function.
var Routes = []Route{
	{"POST /api/uploads", FunctionUpload},
	{"POST /api/images/{id}/label", FunctionUpload},
	{"GET /api/images", FunctionQuery},
	{"GET /api/images/{id}", FunctionQuery},
	{"GET /api/images/{id}/similar", FunctionQuery},
	{"GET /api/kinds", FunctionQuery},
	{"GET /api/colours", FunctionQuery},
	{"GET /api/palettes", FunctionQuery},
	{"GET /api/stats", FunctionQuery},
	{"GET /api/model", FunctionQuery},
	{"GET /api/openapi.yaml", FunctionQuery},
}
