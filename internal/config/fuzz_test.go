package config

import (
	"strings"
	"testing"
)

// FuzzParseRoleMap: the OIDC role map from the environment never panics,
// and every pair it accepts has a non-empty claim value and role.
func FuzzParseRoleMap(f *testing.F) {
	for _, s := range []string{"a=editor", "a=editor,b=communicator", "=", ",,", "a==b", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseRoleMap(s)
		if err != nil {
			return
		}
		for k, v := range m {
			if strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
				t.Fatalf("%q gave empty pair %q=%q", s, k, v)
			}
		}
	})
}

// FuzzValidateDatabase: a TILLTAL_DATABASE value never panics the check
// and never comes back in an error with its password.
func FuzzValidateDatabase(f *testing.F) {
	for _, s := range []string{"sqlite:x.db", "postgres://u:hemligt@h/db", "mysql://u:hemligt@h", "postgres://%zz", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateDatabase(s)
		if err != nil && strings.Contains(s, ":hemligt@") && strings.Contains(err.Error(), "hemligt") {
			t.Fatalf("password in error: %v", err)
		}
	})
}
