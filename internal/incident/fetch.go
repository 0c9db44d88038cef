package incident

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// HTTPFetcher fetches attachments over HTTP for the vault, bounded in size
// and time; a nil client uses one with a 30-second timeout.
func HTTPFetcher(client *http.Client) Fetcher {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	return func(ctx context.Context, url string) ([]byte, string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, "", err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, "", fmt.Errorf("plattformen svarade %d", resp.StatusCode)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxAttachment+1))
		if err != nil {
			return nil, "", err
		}
		ct := resp.Header.Get("Content-Type")
		if ct == "" {
			ct = http.DetectContentType(data)
		}
		return data, ct, nil
	}
}
