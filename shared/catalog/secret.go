package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretsGetter is the one Secrets Manager call ResolveURL needs;
// *secretsmanager.Client satisfies it.
type SecretsGetter interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// ResolveURL returns the PostgreSQL URL the functions connect to.
// DATABASE_URL wins when set (locally, and for anyone who prefers it).
// Otherwise DATABASE_SECRET_ARN names a Secrets Manager secret holding either
// a postgres:// URL or the JSON that RDS secrets use,
// {"username","password","host","port","dbname"}, which becomes a URL with
// sslmode=require. sm is only called in that second case and may be nil when
// DATABASE_URL is set.
func ResolveURL(ctx context.Context, getenv func(string) string, sm SecretsGetter) (string, error) {
	if u := strings.TrimSpace(getenv("DATABASE_URL")); u != "" {
		return u, nil
	}
	arn := strings.TrimSpace(getenv("DATABASE_SECRET_ARN"))
	if arn == "" {
		return "", errors.New("database: set DATABASE_URL or DATABASE_SECRET_ARN")
	}
	if sm == nil {
		return "", fmt.Errorf("database secret %s: no Secrets Manager client", arn)
	}
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return "", fmt.Errorf("database secret %s: %w", arn, err)
	}
	if out.SecretString == nil {
		return "", fmt.Errorf("database secret %s: no SecretString (binary secrets are not supported)", arn)
	}
	u, err := URLFromSecret(*out.SecretString)
	if err != nil {
		return "", fmt.Errorf("database secret %s: %w", arn, err)
	}
	return u, nil
}

// dbSecret is the JSON layout of an RDS database secret. Port is a number in
// secrets that RDS writes and sometimes a string in hand-made ones.
type dbSecret struct {
	Username string          `json:"username"`
	Password string          `json:"password"`
	Host     string          `json:"host"`
	Port     json.RawMessage `json:"port"`
	DBName   string          `json:"dbname"`
}

// URLFromSecret turns a secret's text into a PostgreSQL URL: a postgres:// or
// postgresql:// URL is returned as it is; JSON {username, password, host,
// port, dbname} is assembled into one with sslmode=require (port defaults to
// 5432, dbname to postgres). The error never contains the password.
func URLFromSecret(text string) (string, error) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "postgres://") || strings.HasPrefix(text, "postgresql://") {
		if _, err := url.Parse(text); err != nil {
			return "", errors.New("secret holds a malformed postgres URL")
		}
		return text, nil
	}
	var s dbSecret
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		return "", errors.New("secret is neither a postgres:// URL nor JSON with username, password, host, port, dbname")
	}
	var missing []string
	if s.Username == "" {
		missing = append(missing, "username")
	}
	if s.Password == "" {
		missing = append(missing, "password")
	}
	if s.Host == "" {
		missing = append(missing, "host")
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("secret lacks %s", strings.Join(missing, ", "))
	}
	port := 5432
	if p := strings.Trim(string(s.Port), `" `); p != "" && p != "null" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("secret has an invalid port %q", p)
		}
		port = n
	}
	db := s.DBName
	if db == "" {
		db = "postgres"
	}
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(s.Username, s.Password),
		Host:     net.JoinHostPort(s.Host, strconv.Itoa(port)),
		Path:     "/" + db,
		RawQuery: "sslmode=require",
	}
	return u.String(), nil
}

// Connect resolves the database URL through getenv as ResolveURL does
// (creating a Secrets Manager client from the default AWS configuration only
// when DATABASE_URL is unset) and opens the store.
func Connect(ctx context.Context, getenv func(string) string) (*Store, error) {
	var sm SecretsGetter
	if strings.TrimSpace(getenv("DATABASE_URL")) == "" {
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("database: load AWS configuration: %w", err)
		}
		sm = secretsmanager.NewFromConfig(awsCfg)
	}
	url, err := ResolveURL(ctx, getenv, sm)
	if err != nil {
		return nil, err
	}
	return Open(ctx, url)
}
