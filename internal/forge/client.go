package forge

import (
	"context"
	"net/http"
)

// RetryingClient returns an HTTP client whose transport retries and bounds
// requests exactly as the forge clients' does (cfg's HTTPClient, MaxRetries,
// MaxWait, RequestTimeout and Sleep; the other fields are ignored). Other
// HTTP sinks of ordo (the CloudEvents sink in internal/events) use it so
// that "retried and bounded like forge calls" means the same code.
func RetryingClient(cfg Config) *http.Client { return httpClient(cfg) }

// RetrySafe marks the requests made with ctx as safe to send twice, so that
// a timeout or broken connection is retried even for POST: for requests the
// receiver deduplicates, such as CloudEvents with their ids.
func RetrySafe(ctx context.Context) context.Context { return retrySafe(ctx) }
