/**
 * The built-in `sys` namespace: rooms and their access rules, peers and invites. Placed
 * before every app's data model (namespace index 0); apps read it but cannot redefine it.
 */
export const SYSTEM_DATA_MODEL = `
sys {
  // A room: the unit of sharing. Admins manage it; authorisations say who writes what.
  Room {
    admin: [sys.UserAuth],
    authorisations: [sys.Authorisation],
  }
  Authorisation(no_full_text_index) {
    name: String,
    rights: [sys.EntityRight],
    users: [sys.UserAuth],
    user_admin: [sys.UserAuth],
  }
  // Immutable once written: a change is a new row with a later date.
  UserAuth(no_full_text_index) {
    verif_key: Base64,
    enabled: Boolean default true,
  }
  EntityRight(no_full_text_index) {
    entity: String,
    mutate_self: Boolean,
    mutate_all: Boolean,
  }
  Peer(no_full_text_index) {
    pub_key: Base64,
    name: String default "anonymous",
  }
  AllowedPeer(no_full_text_index) {
    peer: sys.Peer,
    meeting_token: Base64,
    last_connection: Integer default 0,
    status: String,
  }
  AllowedHardware(no_full_text_index) {
    name: String,
    status: String default "enabled",
  }
  OwnedInvite(no_full_text_index) {
    room: Base64 nullable,
    authorisation: Base64 nullable,
  }
  Invite(no_full_text_index) {
    invite_id: Base64,
    application: String,
    invite_sign: Base64,
  }
}
`;
