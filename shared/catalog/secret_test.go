package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/jackc/pgx/v5"
)

// fakeSecretsManager stands in for AWS Secrets Manager: it serves secrets by
// ARN and records which ARNs were asked for.
type fakeSecretsManager struct {
	secrets map[string]string
	err     error
	asked   []string
}

func (f *fakeSecretsManager) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.asked = append(f.asked, aws.ToString(in.SecretId))
	if f.err != nil {
		return nil, f.err
	}
	s, ok := f.secrets[aws.ToString(in.SecretId)]
	if !ok {
		return nil, errors.New("ResourceNotFoundException: secret not found")
	}
	return &secretsmanager.GetSecretValueOutput{SecretString: aws.String(s)}, nil
}

func TestResolveURL_FakeSecretsManager(t *testing.T) {
	const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:veglens-db-AbCdEf"
	password := `p@ss:w/rd?#%&"`
	rdsJSON := `{"username":"veglens","password":"p@ss:w/rd?#%&\"","engine":"postgres","host":"db.example.internal","port":5432,"dbname":"veglens"}`

	type want struct {
		host, user, password, database string
		port                           uint16
		tls                            bool
	}
	tests := []struct {
		name      string
		env       map[string]string
		secret    string
		smErr     error
		want      *want
		wantErr   string
		wantAsked bool
	}{
		{
			name: "DATABASE_URL wins and Secrets Manager is not called",
			env:  map[string]string{"DATABASE_URL": "postgres://local:pw@127.0.0.1:5433/veglens?sslmode=disable", "DATABASE_SECRET_ARN": arn},
			want: &want{host: "127.0.0.1", port: 5433, user: "local", password: "pw", database: "veglens"},
		},
		{
			name:      "RDS JSON secret becomes a TLS URL and the password survives escaping",
			env:       map[string]string{"DATABASE_SECRET_ARN": arn},
			secret:    rdsJSON,
			want:      &want{host: "db.example.internal", port: 5432, user: "veglens", password: password, database: "veglens", tls: true},
			wantAsked: true,
		},
		{
			name:      "port as a string and no dbname",
			env:       map[string]string{"DATABASE_SECRET_ARN": arn},
			secret:    `{"username":"u","password":"x","host":"10.0.0.5","port":"6543"}`,
			want:      &want{host: "10.0.0.5", port: 6543, user: "u", password: "x", database: "postgres", tls: true},
			wantAsked: true,
		},
		{
			name:      "existing database secret holding a URL is used as it is",
			env:       map[string]string{"DATABASE_SECRET_ARN": arn},
			secret:    "postgresql://app:s3cret@ep-1.db.example.com:5432/veg?sslmode=verify-full",
			want:      &want{host: "ep-1.db.example.com", port: 5432, user: "app", password: "s3cret", database: "veg", tls: true},
			wantAsked: true,
		},
		{
			name:    "neither variable set",
			env:     map[string]string{},
			wantErr: "set DATABASE_URL or DATABASE_SECRET_ARN",
		},
		{
			name:      "secret lacks host and password",
			env:       map[string]string{"DATABASE_SECRET_ARN": arn},
			secret:    `{"username":"u"}`,
			wantErr:   "secret lacks password, host",
			wantAsked: true,
		},
		{
			name:      "secret is not JSON",
			env:       map[string]string{"DATABASE_SECRET_ARN": arn},
			secret:    "hunter2",
			wantErr:   "neither a postgres:// URL nor JSON",
			wantAsked: true,
		},
		{
			name:      "bad port",
			env:       map[string]string{"DATABASE_SECRET_ARN": arn},
			secret:    `{"username":"u","password":"x","host":"h","port":70000}`,
			wantErr:   `invalid port "70000"`,
			wantAsked: true,
		},
		{
			name:      "Secrets Manager unreachable",
			env:       map[string]string{"DATABASE_SECRET_ARN": arn},
			smErr:     errors.New("dial tcp: i/o timeout"),
			wantErr:   "i/o timeout",
			wantAsked: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sm := &fakeSecretsManager{secrets: map[string]string{arn: tc.secret}, err: tc.smErr}
			got, err := ResolveURL(context.Background(), func(k string) string { return tc.env[k] }, sm)
			if asked := len(sm.asked) > 0; asked != tc.wantAsked {
				t.Errorf("Secrets Manager called = %v, want %v", asked, tc.wantAsked)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "x\"") || strings.Contains(err.Error(), password) {
					t.Errorf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ResolveURL: %v", err)
			}
			// The URL must mean to pgx what the secret said.
			cfg, err := pgx.ParseConfig(got)
			if err != nil {
				t.Fatalf("pgx cannot parse %q: %v", got, err)
			}
			w := tc.want
			if cfg.Host != w.host || cfg.Port != w.port || cfg.User != w.user || cfg.Password != w.password || cfg.Database != w.database {
				t.Errorf("parsed = host %q port %d user %q password %q db %q, want %+v", cfg.Host, cfg.Port, cfg.User, cfg.Password, cfg.Database, *w)
			}
			if (cfg.TLSConfig != nil) != w.tls {
				t.Errorf("TLS = %v, want %v (url %q)", cfg.TLSConfig != nil, w.tls, got)
			}
			if w.tls && len(cfg.Fallbacks) > 0 {
				t.Errorf("URL %q allows a non-TLS fallback", got)
			}
		})
	}
}
