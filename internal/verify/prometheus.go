package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ordo-ci/ordo/internal/catalog"
)

type prometheusProvider struct{}

func (prometheusProvider) name() string                { return "prometheus" }
func (prometheusProvider) uses(ch *catalog.Check) bool { return ch.Prometheus != nil }

func (prometheusProvider) prepare(ch *catalog.Check, x *expander, o *Options) (probe, error) {
	what := fmt.Sprintf("check %q prometheus", ch.Name)
	base, err := expandURL(x, ch.Prometheus.URL, what+" url")
	if err != nil {
		return nil, err
	}
	query, err := x.expand(ch.Prometheus.Query, what+" query")
	if err != nil {
		return nil, err
	}
	return &prometheusProbe{client: o.client(), method: ch.Prometheus.Method,
		url: strings.TrimSuffix(base, "/") + "/api/v1/query", query: query}, nil
}

// prometheusProbe runs an instant query.
// https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries
type prometheusProbe struct {
	client *http.Client
	method string
	url    string
	query  string
}

// promResponse is the query API's envelope.
type promResponse struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

func (p *prometheusProbe) measure(ctx context.Context) (observation, error) {
	// Both are the API's: GET with the query in the URL, or POST with it
	// form-encoded, for queries longer than a URL may be.
	form := url.Values{"query": {p.query}}
	u, body, headers := p.url+"?"+form.Encode(), io.Reader(nil), map[string]string(nil)
	if p.method == http.MethodPost {
		u, body = p.url, strings.NewReader(form.Encode())
		headers = map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	}
	resp, data, err := send(ctx, p.client, p.method, u, body, headers)
	if err != nil {
		return observation{}, err
	}
	var pr promResponse
	if err := json.Unmarshal(data, &pr); err != nil {
		return observation{}, fmt.Errorf("prometheus answered %d with a body that is not its API's JSON: %s", resp.StatusCode, snippet(data))
	}
	if pr.Status != "success" {
		return observation{}, fmt.Errorf("prometheus: %s: %s (query %q)", pr.ErrorType, pr.Error, p.query)
	}
	results, err := samples(pr.Data.ResultType, pr.Data.Result)
	if err != nil {
		return observation{}, fmt.Errorf("prometheus: %w (query %q)", err, p.query)
	}
	if len(results) == 0 {
		return observation{}, fmt.Errorf("prometheus: the query returned an empty vector: no series matched %q", p.query)
	}
	obs := observation{vars: map[string]any{"results": results}, defaultOK: true}
	if len(results) == 1 {
		obs.vars["result"] = results[0]
		obs.value = formatFloat(results[0])
	} else {
		parts := make([]string, len(results))
		for i, r := range results {
			parts[i] = formatFloat(r)
		}
		obs.value = "[" + strings.Join(parts, ", ") + "]"
		obs.hint = fmt.Sprintf("result is unset: the query returned %d samples; read results, or aggregate the query (sum, max)", len(results))
	}
	return obs, nil
}

// samples reads the values of a scalar or an instant vector.
func samples(kind string, raw json.RawMessage) ([]float64, error) {
	switch kind {
	case "scalar":
		var pair [2]any
		if err := json.Unmarshal(raw, &pair); err != nil {
			return nil, fmt.Errorf("read the scalar: %w", err)
		}
		v, err := sampleValue(pair[1])
		if err != nil {
			return nil, err
		}
		return []float64{v}, nil
	case "vector":
		var vec []struct {
			Value [2]any `json:"value"`
		}
		if err := json.Unmarshal(raw, &vec); err != nil {
			return nil, fmt.Errorf("read the vector: %w", err)
		}
		out := make([]float64, 0, len(vec))
		for _, s := range vec {
			v, err := sampleValue(s.Value[1])
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("the query returned a %s, not a scalar or an instant vector: write an instant query (no range selector at the top)", kind)
}

func sampleValue(v any) (float64, error) {
	s, ok := v.(string)
	if !ok {
		return 0, errors.New("a sample value is not a string")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("sample value %q is not a number", s)
	}
	return f, nil
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// snippet is the start of a body, for error messages.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return strconv.Quote(s)
}
