package forgetest

import (
	"net/http"
	"strconv"
)

// Releases are the releases, oldest first.
func (f *GitHub) Releases() []Release {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Release
	for _, r := range f.releases {
		out = append(out, *r)
	}
	return out
}

// https://docs.github.com/en/rest/releases/releases#get-a-release-by-tag-name
func (f *GitHub) getRelease(w http.ResponseWriter, r *http.Request, _ []byte) {
	if !f.RepoOK(w, r) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, rel := range f.releases {
		if rel.TagName == r.PathValue("tag") {
			WriteJSON(w, http.StatusOK, rel)
			return
		}
	}
	WriteJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
}

type releaseIn struct {
	TagName    *string `json:"tag_name"`
	Name       *string `json:"name"`
	Body       *string `json:"body"`
	Prerelease *bool   `json:"prerelease"`
}

func (in releaseIn) apply(rel *Release) {
	if in.Name != nil {
		rel.Name = *in.Name
	}
	if in.Body != nil {
		rel.Body = *in.Body
	}
	if in.Prerelease != nil {
		rel.Prerelease = *in.Prerelease
	}
}

// https://docs.github.com/en/rest/releases/releases#create-a-release
func (f *GitHub) postRelease(w http.ResponseWriter, r *http.Request, body []byte) {
	if !f.RepoOK(w, r) {
		return
	}
	var in releaseIn
	if !DecodeStrict(f.tb, w, body, &in) {
		return
	}
	if in.TagName == nil || *in.TagName == "" {
		f.tb.Errorf("create release without tag_name: %s", body)
		WriteJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "Validation Failed"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, rel := range f.releases {
		if rel.TagName == *in.TagName {
			WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed",
				"errors": []map[string]string{{"resource": "Release", "code": "already_exists", "field": "tag_name"}}})
			return
		}
	}
	rel := &Release{ID: f.NextID(), TagName: *in.TagName}
	rel.HTMLURL = "https://github.example/" + f.Owner + "/" + f.Repo + "/releases/tag/" + rel.TagName
	in.apply(rel)
	f.releases = append(f.releases, rel)
	WriteJSON(w, http.StatusCreated, rel)
}

// https://docs.github.com/en/rest/releases/releases#update-a-release
func (f *GitHub) patchRelease(w http.ResponseWriter, r *http.Request, body []byte) {
	if !f.RepoOK(w, r) {
		return
	}
	var in releaseIn
	if !DecodeStrict(f.tb, w, body, &in) {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, rel := range f.releases {
		if rel.ID == id {
			if in.TagName != nil && *in.TagName != rel.TagName {
				f.tb.Errorf("update release %d moves its tag to %q", id, *in.TagName)
			}
			in.apply(rel)
			WriteJSON(w, http.StatusOK, rel)
			return
		}
	}
	WriteJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
}
