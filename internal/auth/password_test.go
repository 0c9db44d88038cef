package auth

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("ett långt lösenord")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	h2, _ := HashPassword("ett långt lösenord")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	tests := []struct {
		hash, pw string
		want     bool
	}{
		{h, "ett långt lösenord", true},
		{h, "ett långt lösenorD", false},
		{h, "", false},
		{"", "x", false},
		{"$argon2id$v=19$m=0,t=0,p=0$AAAA$AAAA", "x", false},
		{"$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "x", false},
		{"$bcrypt$whatever", "x", false},
	}
	for _, tt := range tests {
		if got := VerifyPassword(tt.hash, tt.pw); got != tt.want {
			t.Errorf("VerifyPassword(%q, %q) = %v", tt.hash, tt.pw, got)
		}
	}
	if _, err := HashPassword("kort"); err == nil {
		t.Fatal("short password accepted")
	}
}
