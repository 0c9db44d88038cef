package browsertest

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// site serves the pages under testdata/site and an /echo page that shows
// what the form sent, so the actions can be tested against a real server.
func site(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServer(http.Dir("testdata/site")))
	mux.HandleFunc("GET /echo", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="sv"><head><title>Svar</title></head><body><main><h1>Svar</h1><p id="svar">%s</p></main></body></html>`,
			html.EscapeString(r.URL.Query().Get("namn")))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestBrowser(t *testing.T) {
	t.Parallel()
	b := New(t)
	srv := site(t)

	t.Run("axe finds the violations of a broken page", func(t *testing.T) {
		t.Parallel()
		ctx := b.Tab(t)
		Navigate(t, ctx, srv.URL+"/broken.html")
		vs, err := Violations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, v := range vs {
			ids = append(ids, v.ID)
			if len(v.Nodes) == 0 || v.Nodes[0].Target == "" || v.Help == "" {
				t.Errorf("violation %s lacks its nodes or help: %+v", v.ID, v)
			}
		}
		slices.Sort(ids)
		want := []string{"color-contrast", "html-has-lang", "image-alt", "label"}
		if !slices.Equal(ids, want) {
			t.Errorf("violations = %v, want %v\n%s", ids, want, FormatViolations(vs))
		}
	})

	t.Run("a clean page passes both checks", func(t *testing.T) {
		t.Parallel()
		ctx := b.Tab(t)
		if status := Navigate(t, ctx, srv.URL+"/clean.html"); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		CheckAccessibility(t, ctx)
		CheckHTML(t, ctx)
	})

	t.Run("reflow finds what sticks out at 320 px", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			page      string
			wide      bool
			offending string
		}{
			{"/clean.html", false, ""},
			{"/wide.html", true, `p#bred "En fast bredd`},
		}
		for _, tt := range tests {
			ctx := b.Tab(t)
			Navigate(t, ctx, srv.URL+tt.page)
			w, offenders, err := Overflow(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := w > ReflowWidth; got != tt.wide {
				t.Errorf("%s: width %d at %d px, want wide=%v (offenders %q)", tt.page, w, ReflowWidth, tt.wide, offenders)
			}
			if tt.wide && (len(offenders) != 1 || !strings.HasPrefix(offenders[0], tt.offending)) {
				t.Errorf("%s: offenders %q, want only %s (the scrolling table is allowed)", tt.page, offenders, tt.offending)
			}
			if vw := Eval[int](t, ctx, "window.innerWidth"); vw <= ReflowWidth {
				t.Errorf("%s: viewport left at %d px", tt.page, vw)
			}
		}
	})

	t.Run("actions fill, submit and read", func(t *testing.T) {
		t.Parallel()
		ctx := b.Tab(t)
		Navigate(t, ctx, srv.URL+"/clean.html")
		Fill(t, ctx, "#namn", "Bertil")
		Fill(t, ctx, "#namn", "Åsa Öberg")
		if status := ClickNavigate(t, ctx, "#skicka"); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		if got := Text(t, ctx, "#svar"); got != "Åsa Öberg" {
			t.Errorf("echoed %q, want the typed name alone (Fill must replace the old value)", got)
		}
		if got := Location(t, ctx); !strings.HasSuffix(got, "/echo?namn=%C3%85sa+%C3%96berg") {
			t.Errorf("location %q", got)
		}
	})

	t.Run("keyboard focus starts at the skip link", func(t *testing.T) {
		t.Parallel()
		ctx := b.Tab(t)
		Navigate(t, ctx, srv.URL+"/clean.html")
		PressTab(t, ctx, false)
		WaitFocus(t, ctx, `a[href="#innehall"]`)
		if got := Focused(t, ctx); got != "A# Hoppa till innehållet" {
			t.Errorf("Focused = %q", got)
		}
		PressEnter(t, ctx)
		WaitFocus(t, ctx, "main#innehall")
	})

	t.Run("scripts run unless turned off", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			disable bool
			want    string
		}{{false, "JavaScript på"}, {true, "JavaScript av"}}
		for _, tt := range tests {
			ctx := b.Tab(t)
			if tt.disable {
				DisableScripts(t, ctx)
			}
			Navigate(t, ctx, srv.URL+"/scripted.html")
			if got := Text(t, ctx, "#js"); got != tt.want {
				t.Errorf("disabled=%v: page says %q, want %q", tt.disable, got, tt.want)
			}
		}
	})
}
