package metafake

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func postReply(ctx context.Context, s *Server, parent, token string) (*http.Response, error) {
	form := url.Values{"message": {"Tack!"}, "access_token": {token}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/v23.0/"+parent+"/comments", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return http.DefaultClient.Do(req)
}

// TestHold: a request held before it takes effect leaves nothing when its
// caller hangs up; one held after it took effect is done at arrival and
// answered on release.
func TestHold(t *testing.T) {
	t.Parallel()
	s := Start(t)
	s.AddPage("1", "Kommunen", "tok")
	post := s.AddPost("1", "Inlägg", time.Now())

	h := s.Hold(Hold{Method: http.MethodPost, PathContains: post + "/comments"})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := postReply(ctx, s, post, "tok"); errc <- err }()
	<-h.Arrived()
	cancel()
	<-h.Answered()
	if err := <-errc; err == nil {
		t.Fatal("the cancelled request was answered")
	}
	if n := len(s.Children(post)); n != 0 {
		t.Fatalf("a request held before it took effect made %d replies", n)
	}

	h = s.Hold(Hold{Method: http.MethodPost, PathContains: post + "/comments", Apply: true})
	go func() {
		resp, err := postReply(context.Background(), s, post, "tok")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				err = &url.Error{Op: "status", URL: resp.Status}
			}
		}
		errc <- err
	}()
	<-h.Arrived()
	if n := len(s.Children(post)); n != 1 {
		t.Fatalf("a request held after it took effect made %d replies at arrival", n)
	}
	h.Release()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}
