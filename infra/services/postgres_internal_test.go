package services

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A data folder still held by a live server is waited for, up to the
// limit; a postmaster.pid left by a dead one is no reason to wait.
func TestWaitForPreviousServer(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		pidFile string
		wantErr bool
	}{
		{"no server", "", false},
		{"stale pid file (process gone)", "999999999\n/data\n", false},
		{"unreadable pid", "not a pid\n", false},
		{"a live process holds it", fmt.Sprintf("%d\n/data\n", os.Getpid()), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.pidFile != "" {
				if err := os.WriteFile(filepath.Join(dir, "postmaster.pid"), []byte(tc.pidFile), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			start := time.Now()
			err := waitForPreviousServer(ctx, dir, 300*time.Millisecond)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr && (time.Since(start) < 300*time.Millisecond || !strings.Contains(err.Error(), "still uses")) {
				t.Errorf("gave up after %s with %v; want to wait the limit and say the folder is still used", time.Since(start), err)
			}
		})
	}
}
