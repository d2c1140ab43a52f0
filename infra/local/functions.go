package local

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/veglens/veglens/functions/classify/classify"
	"github.com/veglens/veglens/functions/query/query"
	"github.com/veglens/veglens/functions/sweep/sweep"
	"github.com/veglens/veglens/functions/upload/upload"
	"github.com/veglens/veglens/infra/local/gateway"
	"github.com/veglens/veglens/shared/api"
	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/labelling"
	"github.com/veglens/veglens/shared/objects"
	"github.com/veglens/veglens/shared/veglens"
	"github.com/veglens/veglens/shared/vision"
)

// Settings is everything the functions are built with, given explicitly:
// what the Lambda functions read from their environment in the cloud.
type Settings struct {
	// DatabaseURL is the catalog's PostgreSQL (DATABASE_URL).
	DatabaseURL string
	// Objects reaches the images bucket: IMAGES_BUCKET, S3_ENDPOINT (MinIO
	// itself), S3_PUBLIC_ENDPOINT (the gateway, for browsers) and MinIO's
	// region and keys.
	Objects objects.Config
	// ModelDir holds veglens.onnx, model.json and metrics.json (MODEL_DIR).
	ModelDir string
	// ORTLib is the ONNX Runtime shared library (ORT_LIB).
	ORTLib string
	// UploadExpiry is the lifetime of presigned uploads (UPLOAD_EXPIRY); 0
	// is the upload function's default.
	UploadExpiry time.Duration
	// Clock is the sweep function's clock; nil is time.Now.
	Clock func() time.Time
	// Metrics receives the classify function's embedded-metric-format
	// records (stdout in Lambda); nil discards them.
	Metrics io.Writer
	// Log receives the functions' logs, each line with the function's
	// name; nil discards them.
	Log *slog.Logger
}

// Functions are the Lambda handlers, built once per process like a warm
// Lambda; Close releases what they hold (the model, the database pool).
type Functions struct {
	Handlers gateway.Functions
	// Sweep is the sweep function's scheduled run (the cloud's EventBridge
	// schedule; the stack calls it on a timer); nil when there is none.
	Sweep func(ctx context.Context) (sweep.Report, error)
	Close func() error
}

// FunctionsFactory builds the handlers once the services are up.
type FunctionsFactory func(ctx context.Context, s Settings) (Functions, error)

// LambdaFunctions builds the handlers the Lambda mains build, from the same
// settings: one catalog pool and one loaded model shared by the four.
func LambdaFunctions(ctx context.Context, s Settings) (Functions, error) {
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	metrics := s.Metrics
	if metrics == nil {
		metrics = io.Discard
	}
	model, err := veglens.ReadModel(s.ModelDir)
	if err != nil {
		return Functions{}, err
	}
	images, err := catalog.Open(ctx, s.DatabaseURL)
	if err != nil {
		return Functions{}, err
	}
	objs, err := objects.New(ctx, s.Objects)
	if err != nil {
		images.Close()
		return Functions{}, err
	}
	classifier, err := vision.LoadModel(s.ModelDir, vision.ModelOptions{LibraryPath: s.ORTLib})
	if err != nil {
		images.Close()
		return Functions{}, err
	}
	closeAll := func() error {
		images.Close()
		return classifier.Close()
	}
	up, err := upload.New(upload.Deps{Images: images, Objects: objs, Expiry: s.UploadExpiry, Kinds: model.Meta.Kinds(), Log: log.With("function", api.FunctionUpload)})
	if err != nil {
		return Functions{}, errors.Join(err, closeAll())
	}
	cl, err := classify.New(classify.Deps{Deps: labelling.Deps{Images: images, Objects: objs, Classifier: classifier, Log: log.With("function", "classify")}, Metrics: metrics})
	if err != nil {
		return Functions{}, errors.Join(err, closeAll())
	}
	q, err := query.New(query.Deps{Images: images, Objects: objs, Model: model, Log: log.With("function", api.FunctionQuery)})
	if err != nil {
		return Functions{}, errors.Join(err, closeAll())
	}
	// No retention locally: nothing deletes uploads from MinIO.
	sw, err := sweep.New(sweep.Deps{Images: images, Objects: objs, Now: s.Clock, Log: log.With("function", "sweep")})
	if err != nil {
		return Functions{}, errors.Join(err, closeAll())
	}
	return Functions{
		Handlers: gateway.Functions{
			HTTP:     map[string]gateway.HTTPFunc{api.FunctionUpload: up.Handle, api.FunctionQuery: q.Handle},
			Classify: cl.Handle,
			Removed:  sw.HandleRemoved,
		},
		Sweep: sw.Sweep,
		Close: closeAll,
	}, nil
}
