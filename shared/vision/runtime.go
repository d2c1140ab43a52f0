package vision

import (
	"errors"
	"fmt"
	"os"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// runtimeEnv guards the process-wide ONNX Runtime environment. It behaves
// like a sync.Once that only counts successes: a failed attempt (a wrong
// library path, say) can be retried with a better path, but once the
// environment exists every later call is a no-op.
var runtimeEnv struct {
	mu      sync.Mutex
	ready   bool
	libPath string
}

// InitRuntime loads the ONNX Runtime shared library and creates the
// process-wide environment, once. libPath names the library; it is
// required unless the environment already exists. Packages that run other
// ONNX models in the same process must call InitRuntime instead of
// initialising onnxruntime_go themselves; LoadModel calls it for you.
//
// The first successful call wins: the library cannot be swapped afterwards,
// and later calls return nil whatever path they pass.
func InitRuntime(libPath string) error {
	runtimeEnv.mu.Lock()
	defer runtimeEnv.mu.Unlock()
	if runtimeEnv.ready {
		return nil
	}
	if ort.IsInitialized() { // someone initialised onnxruntime_go directly
		runtimeEnv.ready = true
		return nil
	}
	if libPath == "" {
		return errors.New("onnx runtime: no library path: set ORT_LIB (ModelOptions.LibraryPath) to libonnxruntime.so.1; `make ort` fetches it")
	}
	if _, err := os.Stat(libPath); err != nil {
		return fmt.Errorf("onnx runtime: library not found (ORT_LIB=%q; `make ort` fetches it): %w", libPath, err)
	}
	ort.SetSharedLibraryPath(libPath)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return fmt.Errorf("onnx runtime: initialise with %s: %w", libPath, err)
	}
	runtimeEnv.ready = true
	runtimeEnv.libPath = libPath
	return nil
}
