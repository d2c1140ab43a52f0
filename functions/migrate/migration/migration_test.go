package migration_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/jackc/pgx/v5"

	"github.com/veglens/veglens/functions/migrate/migration"
	"github.com/veglens/veglens/infra/services"
	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/catalog"
)

// fakeCloudFormation is the pre-signed response URL CloudFormation hands a
// custom resource: it records every response PUT to it.
type fakeCloudFormation struct {
	mu        sync.Mutex
	responses []cfn.Response
}

func (f *fakeCloudFormation) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var resp cfn.Response
	if r.Method != http.MethodPut || json.Unmarshal(body, &resp) != nil {
		http.Error(w, "want a JSON PUT", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.responses = append(f.responses, resp)
	f.mu.Unlock()
}

func (f *fakeCloudFormation) last(t *testing.T) cfn.Response {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.responses) == 0 {
		t.Fatal("CloudFormation received no response")
	}
	return f.responses[len(f.responses)-1]
}

func tableExists(t *testing.T, url, table string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&ok); err != nil {
		t.Fatalf("look for %s: %v", table, err)
	}
	return ok
}

// TestHandle_FakeCloudFormation sends the custom resource's events through
// the real cfn wrapper and a real PostgreSQL server; only CloudFormation's
// response endpoint is a fake.
func TestHandle_FakeCloudFormation(t *testing.T) {
	pg := servicestest.Postgres(t)
	cf := &fakeCloudFormation{}
	srv := httptest.NewServer(cf)
	defer srv.Close()

	closedPort, err := services.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	unreachable := fmt.Sprintf("postgres://veglens:pw@127.0.0.1:%d/veglens?sslmode=disable&connect_timeout=5", closedPort)

	tests := []struct {
		name        string
		requestType cfn.RequestType
		url         string
		resolveErr  error
		wantStatus  cfn.StatusType
		wantReason  string
		wantTable   bool // images table present afterwards in pg
	}{
		{name: "create migrates an empty database", requestType: cfn.RequestCreate, url: pg.URL, wantStatus: cfn.StatusSuccess, wantTable: true},
		{name: "update on a current schema succeeds again", requestType: cfn.RequestUpdate, url: pg.URL, wantStatus: cfn.StatusSuccess, wantTable: true},
		{name: "delete touches nothing, even an unreachable database", requestType: cfn.RequestDelete, url: unreachable, wantStatus: cfn.StatusSuccess, wantTable: true},
		{name: "unreachable database fails the deploy with a reason", requestType: cfn.RequestUpdate, url: unreachable, wantStatus: cfn.StatusFailed, wantReason: "connect"},
		{name: "secret that cannot be read fails the deploy", requestType: cfn.RequestCreate, resolveErr: errors.New("AccessDeniedException: not authorized"), wantStatus: cfn.StatusFailed, wantReason: "find the database: AccessDeniedException"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			migrated := 0
			h := migration.Handler{
				ResolveURL: func(context.Context) (string, error) { return tc.url, tc.resolveErr },
				Migrate: func(ctx context.Context, url string) error {
					migrated++
					return catalog.Migrate(ctx, url, nil)
				},
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			event := cfn.Event{
				RequestType:        tc.requestType,
				RequestID:          fmt.Sprintf("req-%d", i),
				ResponseURL:        srv.URL + "/response",
				ResourceType:       "Custom::DatabaseMigration",
				LogicalResourceID:  "DatabaseMigration",
				StackID:            "arn:aws:cloudformation:eu-west-1:123456789012:stack/veglens/1",
				PhysicalResourceID: migration.PhysicalID,
				ResourceProperties: map[string]any{"DeployId": "abc123"},
			}
			if _, err := cfn.LambdaWrap(h.Handle)(ctx, event); err != nil {
				t.Fatalf("sending the response failed: %v", err)
			}
			got := cf.last(t)
			if got.Status != tc.wantStatus {
				t.Fatalf("status = %s (reason %q), want %s", got.Status, got.Reason, tc.wantStatus)
			}
			if got.PhysicalResourceID != migration.PhysicalID || got.RequestID != event.RequestID || got.LogicalResourceID != "DatabaseMigration" {
				t.Errorf("response identifies %q/%q/%q", got.PhysicalResourceID, got.RequestID, got.LogicalResourceID)
			}
			if tc.wantReason != "" && !strings.Contains(got.Reason, tc.wantReason) {
				t.Errorf("reason = %q, want it to mention %q", got.Reason, tc.wantReason)
			}
			if tc.requestType == cfn.RequestDelete && migrated != 0 {
				t.Errorf("delete ran the migration")
			}
			if tc.wantTable && !tableExists(t, pg.URL, "images") {
				t.Errorf("images table missing after %s", tc.requestType)
			}
		})
	}
}
