package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"tilltal/internal/audit"
	"tilltal/internal/channel"
)

// runChannelAdd adds a channel to the registry for scripts. The channel
// starts as requested; it goes live through the communicator's review.
func runChannelAdd(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("channel add", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	platform := fs.String("platform", "", "facebook, instagram, linkedin, youtube or other")
	externalID := fs.String("external-id", "", "the platform's id of the account")
	name := fs.String("name", "", "the channel's name")
	department := fs.String("department", "", "department name or code")
	handle := fs.String("handle", "", "account name, e.g. @exempelby")
	url := fs.String("url", "", "the channel's public address")
	purpose := fs.String("purpose", "", "what the channel is for")
	owner := fs.String("owner", "", "the owner's e-mail address")
	var editors multiFlag
	fs.Var(&editors, "editor", "an editor's e-mail address (repeatable)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("channel add: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("channel add: unexpected argument %q", fs.Arg(0))
	}
	if *platform == "" || *externalID == "" || *name == "" || *department == "" {
		return errors.New("channel add: --platform, --external-id, --name and --department are required")
	}
	p, err := channel.ParsePlatform(strings.ToLower(strings.TrimSpace(*platform)))
	if err != nil {
		return fmt.Errorf("channel add: %w", err)
	}
	d, o, _, err := openStores(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	dep, err := o.DepartmentByName(ctx, strings.TrimSpace(*department))
	if err != nil {
		return fmt.Errorf("channel add: %w", err)
	}
	s := &channel.Store{DB: d, Now: o.Now}
	ctx = audit.WithActor(ctx, audit.System("cli"))
	c, err := s.Create(ctx, channel.System, channel.NewChannel{
		Details: channel.Details{DepartmentID: dep.ID, Platform: p, ExternalID: *externalID, Name: *name, Handle: *handle, URL: *url, Purpose: *purpose},
		People:  channel.People{Owner: *owner, Editors: editors},
	})
	if err != nil {
		return fmt.Errorf("channel add: %w", err)
	}
	_, err = fmt.Fprintln(stdout, c.ID)
	return err
}
