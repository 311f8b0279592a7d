package forgetest

import (
	"net/http"
	"strconv"
)

// Releases are the releases, oldest first.
func (f *GitHub) Releases() []Release {
	f.mu.Lock()
	defer f.mu.Unlock()
	return Copies(f.releases, nil)
}

// https://docs.github.com/en/rest/releases/releases#get-a-release-by-tag-name
func (f *GitHub) getRelease(w http.ResponseWriter, r *http.Request, _ []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tag := r.PathValue("tag")
	if i := Index(w, f.releases, "Not Found", func(rel *Release) bool { return rel.TagName == tag }); i >= 0 {
		WriteJSON(w, http.StatusOK, f.releases[i])
	}
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
func (f *GitHub) postRelease(w http.ResponseWriter, r *http.Request, in releaseIn) {
	if in.TagName == nil || *in.TagName == "" {
		f.tb.Errorf("create release without tag_name")
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
func (f *GitHub) patchRelease(w http.ResponseWriter, r *http.Request, in releaseIn) {
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
