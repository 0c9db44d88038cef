// Package demo seeds "Exempelby kommun": departments, a user for every role
// and (as the other capabilities arrive) channels and simulated traffic, so
// that `tilltal demo` shows a working municipality at once.
package demo

import (
	"context"
	"errors"
	"fmt"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/auth"
	"tilltal/internal/org"
)

// Password is every demo user's password. The demo is for trying Tilltal
// out, never for real data.
const Password = "exempelby-demo-2026"

// Municipality is the demo municipality's name.
const Municipality = "Exempelby kommun"

// Departments are the demo departments with their codes.
var Departments = []org.Department{
	{Name: "Kommunledningsförvaltningen", Code: "KLF", Description: "Kommunens ledning, kommunikation, digitalisering och registratur."},
	{Name: "Socialförvaltningen", Code: "SOC", Description: "Äldreomsorg, individ- och familjeomsorg, LSS."},
	{Name: "Barn- och utbildningsförvaltningen", Code: "BUF", Description: "Förskola, grundskola, gymnasium och vuxenutbildning."},
	{Name: "Samhällsbyggnadsförvaltningen", Code: "SBF", Description: "Bygglov, gator och vägar, snöröjning, avfall, vatten och avlopp."},
	{Name: "Kultur- och fritidsförvaltningen", Code: "KFF", Description: "Bibliotek, simhall, idrottsanläggningar och kulturskola."},
}

// User is a demo account.
type User struct {
	Email, Name string
	Roles       []org.Role
	Departments []string // codes
}

// Users are one demo account for every role.
var Users = []User{
	{"kommunikator@exempelby.se", "Karin Kommunikatör", []org.Role{org.Communicator}, []string{"KLF"}},
	{"kontoansvarig@exempelby.se", "Oskar Kontoansvarig", []org.Role{org.Owner, org.Editor}, []string{"KFF"}},
	{"redaktor@exempelby.se", "Rut Redaktör", []org.Role{org.Editor}, []string{"BUF"}},
	{"verksamhet@exempelby.se", "Vera Verksamhetskontakt", []org.Role{org.DeptContact}, []string{"SBF"}},
	{"registrator@exempelby.se", "Rolf Registrator", []org.Role{org.Registrar}, []string{"KLF"}},
	{"jurist@exempelby.se", "Julia Jurist", []org.Role{org.Legal}, []string{"KLF"}},
	// Owners and editors of the demo channels.
	{"kanal@exempelby.se", "Anna Andersson", []org.Role{org.Owner, org.Editor}, []string{"KLF"}},
	{"webb@exempelby.se", "Erik Ek", []org.Role{org.Editor}, []string{"KLF"}},
	{"aldreomsorg@exempelby.se", "Sara Sjöberg", []org.Role{org.Owner, org.Editor}, []string{"SOC"}},
	{"skola@exempelby.se", "Bo Berg", []org.Role{org.Owner, org.Editor}, []string{"BUF"}},
	{"trafik@exempelby.se", "Gustav Gran", []org.Role{org.Owner, org.Editor}, []string{"SBF"}},
	{"bibliotek@exempelby.se", "Frida Falk", []org.Role{org.Editor}, []string{"KFF"}},
}

// Seed fills an empty database with the demo municipality. On a database
// that already has it, Seed does nothing, so a demo restarted on
// PostgreSQL keeps its data.
func Seed(ctx context.Context, o *org.Store) error {
	if _, err := o.GetMunicipality(ctx); err == nil {
		return nil
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	ctx = audit.WithActor(ctx, audit.System("demo"))
	if err := o.SetMunicipality(ctx, org.Municipality{Name: Municipality, DiaryPrefix: "KS"}); err != nil {
		return err
	}
	ids := map[string]int64{}
	for _, d := range Departments {
		created, err := o.CreateDepartment(ctx, d)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		ids[d.Code] = created.ID
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return err
	}
	for _, u := range Users {
		n := org.NewUser{Email: u.Email, Name: u.Name, Roles: u.Roles, PasswordHash: hash}
		for _, c := range u.Departments {
			n.Departments = append(n.Departments, ids[c])
		}
		if _, err := o.CreateUser(ctx, n); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return seedChannels(ctx, o, ids)
}
