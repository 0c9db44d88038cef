package config

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"defaults", nil, ""},
		{"postgres", map[string]string{"TILLTAL_DATABASE": "postgres://u@127.0.0.1/test"}, ""},
		{"bad scheme", map[string]string{"TILLTAL_DATABASE": "mysql://x"}, "must start with sqlite: or postgres://"},
		{"empty sqlite", map[string]string{"TILLTAL_DATABASE": "sqlite:"}, "names no file"},
		{"password hidden", map[string]string{"TILLTAL_DATABASE": "mongodb://u:hemligt@x"}, "xxxxx@x"},
		{"bad listen", map[string]string{"TILLTAL_LISTEN": "8080"}, "not host:port"},
		{"bad role map", map[string]string{"TILLTAL_OIDC_ROLE_MAP": "abc"}, "not claimvalue=role"},
		{"bad smtp port", map[string]string{"TILLTAL_SMTP_PORT": "x"}, "not a port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := FromEnv(env(tt.env))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.Listen == "" || c.Database == "" {
					t.Fatalf("defaults missing: %+v", c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "hemligt") {
				t.Fatalf("password leaked: %v", err)
			}
		})
	}
}

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := Secret("topsecret")
	if s.String() != "[redacted]" || s.Reveal() != "topsecret" {
		t.Fatal("secret handling broken")
	}
}
