package upload

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/veglens/veglens/shared/api"
	"github.com/veglens/veglens/shared/veglens"
)

// LabelLimit is how often one client may label photos: 20 at once, then
// one every 3 seconds (20 a minute), counted per viewer address across all
// function instances (veglens.ImageStore.TakeToken).
var LabelLimit = veglens.RateLimit{Burst: 20, Every: 3 * time.Second}

// ImageLabelLimit is how often one photo's label may change, whoever sends
// it: 5 at once, then one every 10 minutes. It bounds what anyone can do to
// one photo's label, however many addresses they send from.
var ImageLabelLimit = veglens.RateLimit{Burst: 5, Every: 10 * time.Minute}

// ViewerHeader carries the viewer's address in the cloud: CloudFront's
// viewer-request function (template.yaml, ViewerAddressFunction) sets it,
// overwriting anything the viewer sent, because API Gateway's sourceIp is
// then the CloudFront server's.
const ViewerHeader = "X-Veglens-Viewer"

// LabelRequest is the body of POST /api/images/{id}/label.
type LabelRequest struct {
	// Kind is the kind the photo shows, or veglens.NotAVegetable ("none").
	Kind *string `json:"kind"`
}

// label serves POST /api/images/{id}/label: a person's own answer for a
// labelled photo, stored beside the prediction (never over it). Saving the
// same answer again is harmless; a new answer replaces the old one.
func (h *Handler) label(ctx context.Context, id string, req events.APIGatewayV2HTTPRequest) (api.UserLabel, error) {
	var body LabelRequest
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.UserLabel{}, err
	}
	allowed := append(h.kinds.List(), veglens.NotAVegetable)
	if body.Kind == nil {
		return api.UserLabel{}, api.Invalid("kind", `Say what the photo shows: "kind" is one of the kinds, or "none" when it is not one of them.`, allowed)
	}
	var kind veglens.Kind
	if v := strings.TrimSpace(*body.Kind); !strings.EqualFold(v, veglens.NotAVegetable) {
		k, ok := h.kinds.Lookup(v)
		if !ok {
			return api.UserLabel{}, api.Invalid("kind", fmt.Sprintf("There is no kind %q; pick one of the kinds, or \"none\" when it is not one of them.", clip(v)), allowed)
		}
		kind = k
	}
	if v := api.Header(req, "Sec-Fetch-Site"); v == "cross-site" {
		return api.UserLabel{}, api.Invalid("Sec-Fetch-Site", "Labels can only be given from veglens's own pages.", nil)
	}
	if api.Header(req, "Content-Type") == "" {
		return api.UserLabel{}, api.Unsupported("Content-Type", "Send the label as JSON (Content-Type: application/json).", []string{"application/json"})
	}
	ok, wait, err := h.images.TakeToken(ctx, clientOf(req), LabelLimit)
	if err != nil {
		return api.UserLabel{}, storeError(err)
	}
	if !ok {
		return api.UserLabel{}, api.RateLimited(fmt.Sprintf("You have labelled many photos in a short time; please wait %s and try again.", waitWords(wait)), wait)
	}
	if prev, had, err := h.images.UserLabel(ctx, id); err != nil {
		return api.UserLabel{}, storeError(err)
	} else if !had || prev.Kind != kind {
		// Only a change counts against the photo's own limit.
		ok, wait, err := h.images.TakeToken(ctx, "image:"+strings.ToLower(id), ImageLabelLimit)
		if err != nil {
			return api.UserLabel{}, storeError(err)
		}
		if !ok {
			return api.UserLabel{}, api.RateLimited(fmt.Sprintf("This photo's label has changed many times in a short time; please wait %s and try again.", waitWords(wait)), wait)
		}
	}
	l, err := h.images.SaveUserLabel(ctx, id, kind)
	switch {
	case errors.Is(err, veglens.ErrNotFound):
		return api.UserLabel{}, api.NotFound("There is no photo with this id.")
	case errors.Is(err, veglens.ErrNotLabelled):
		return api.UserLabel{}, api.Invalid("id", "This photo has no answer from the model yet (it is still being labelled, or could not be read), so there is nothing to correct.", nil)
	case err != nil:
		return api.UserLabel{}, storeError(err)
	}
	return api.UserLabel{ImageID: l.ImageID, Kind: l.KindOrNone(), CreatedAt: l.CreatedAt.UTC(), UpdatedAt: l.UpdatedAt.UTC()}, nil
}

// clientOf names the client for rate limits: its viewer address (the
// ViewerHeader CloudFront sets, else API Gateway's sourceIp), an IPv6
// address by its /64 (one host usually holds a whole /64), hashed so that
// the table does not list addresses in clear (a hash does not make an IPv4
// address secret: there are few enough to try them all).
func clientOf(req events.APIGatewayV2HTTPRequest) string {
	addr := strings.TrimSpace(api.Header(req, ViewerHeader))
	if addr == "" {
		addr = req.RequestContext.HTTP.SourceIP
	}
	if ip, err := netip.ParseAddr(addr); err == nil && ip.Is6() && !ip.Is4In6() {
		if p, err := ip.Prefix(64); err == nil {
			addr = p.String()
		}
	}
	sum := sha256.Sum256([]byte("label\x00" + addr))
	return "label:" + hex.EncodeToString(sum[:12])
}

// waitWords writes a wait in whole seconds for people: "1 second", "12 seconds".
func waitWords(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	if s <= 1 {
		return "1 second"
	}
	return fmt.Sprintf("%d seconds", s)
}

// clip shortens what a caller sent for quoting in a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// storeError maps store failures onto the API's vocabulary.
func storeError(err error) error {
	if errors.Is(err, veglens.ErrUnavailable) {
		return api.Unavailable("database", err)
	}
	return api.Internal(err)
}

// labelPath returns the id of a POST /api/images/{id}/label path.
func labelPath(p string, req events.APIGatewayV2HTTPRequest) (string, bool) {
	rest, ok := strings.CutPrefix(p, "/api/images/")
	if !ok {
		return "", false
	}
	id, ok := strings.CutSuffix(rest, "/label")
	if !ok || strings.Contains(id, "/") {
		return "", false
	}
	if v := req.PathParameters["id"]; v != "" {
		id = v
	}
	return id, true
}
