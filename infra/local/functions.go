package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/veglens/veglens/functions/classify/classify"
	"github.com/veglens/veglens/functions/query/query"
	"github.com/veglens/veglens/functions/upload/upload"
	"github.com/veglens/veglens/shared/config"
	"github.com/veglens/veglens/shared/vision"
)

// LambdaFunctions builds the same handlers the Lambda mains build, from the
// same configuration, once per process (the model is loaded once). metrics
// receives the classify function's embedded-metric-format records (stdout
// in Lambda; a log file locally).
func LambdaFunctions(metrics io.Writer) FunctionsFactory {
	return func(ctx context.Context, env Env) (Functions, error) {
		vars := env.Vars()
		cfg, err := config.FromEnv(func(k string) string {
			if v, ok := vars[k]; ok {
				return v
			}
			return os.Getenv(k)
		})
		if err != nil {
			return Functions{}, err
		}
		store, err := cfg.Store(ctx)
		if err != nil {
			return Functions{}, err
		}
		objs, err := cfg.Objects(ctx)
		if err != nil {
			store.Close()
			return Functions{}, err
		}
		model, err := vision.LoadModel(cfg.ModelDir, vision.ModelOptions{LibraryPath: cfg.ORTLib})
		if err != nil {
			store.Close()
			return Functions{}, fmt.Errorf("load model: %w", err)
		}
		closeAll := func() error {
			store.Close()
			return model.Close()
		}
		up, err := upload.New(upload.Deps{Store: store, Objects: objs, Expiry: cfg.UploadExpiry})
		if err != nil {
			return Functions{}, errors.Join(err, closeAll())
		}
		cl, err := classify.New(classify.Deps{Store: store, Objects: objs, Model: model, Metrics: metrics})
		if err != nil {
			return Functions{}, errors.Join(err, closeAll())
		}
		q, err := query.New(query.Deps{Store: store, Objects: objs, ModelDir: cfg.ModelDir})
		if err != nil {
			return Functions{}, errors.Join(err, closeAll())
		}
		return Functions{Upload: up.Handle, Query: q.Handle, Classify: cl.Handle, Close: closeAll}, nil
	}
}
