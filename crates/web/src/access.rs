//! What a signed-in user may reach. A user's scope is a node of the tree
//! (or a team) and covers everything below it:
//!
//! | role | scope | may |
//! |---|---|---|
//! | admin | everything | manage everything |
//! | Ministry officer | the nation | read every province and commune |
//! | province officer | a province | read every commune of it; manage its users |
//! | commune officer | a commune | manage everything of the commune |
//! | team leader | a team | see the team, manage its members |
//! | team member | a team (and own person) | see the team, edit own profile |
//!
//! Every handler under `/communes/{code}` takes one of the extractors of
//! `layout.rs`, which refuse before the handler runs: `CommuneCtx` (any
//! access to the commune), `Officer`, `Manager` or `UsersManager`; records
//! reached by id are loaded through `CommuneCtx::load`, which refuses those
//! of another commune. Rules of one team (`team_view`, `team_manage`, …) are
//! stated by the handler. The route × role matrix test checks every route
//! against this table.

use toso_domain::{Node, UserRole};
use toso_store::{Commune, User};

use crate::WebError;

/// A user's access to one commune.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everything of the commune (admin, the commune's officer).
    Manage,
    /// Read everything of the commune (the province's officer).
    Read,
    /// One team of the commune: its leader, or a member (with their person).
    Team {
        team_id: i64,
        leader: bool,
        person_id: Option<i64>,
    },
}

pub fn commune_access(user: &User, commune: &Commune) -> Option<Access> {
    match user.role {
        UserRole::Admin => Some(Access::Manage),
        UserRole::MinistryOfficer => Some(Access::Read),
        UserRole::ProvinceOfficer if user.province_code == Some(commune.province_code) => {
            Some(Access::Read)
        }
        UserRole::CommuneOfficer if user.commune_code == Some(commune.code) => Some(Access::Manage),
        UserRole::TeamLeader | UserRole::TeamMember if user.commune_code == Some(commune.code) => {
            user.team_id.map(|team_id| Access::Team {
                team_id,
                leader: user.role == UserRole::TeamLeader,
                person_id: user.person_id,
            })
        }
        _ => None,
    }
}

/// Officers who manage the accounts of a commune: admin, the province's
/// officer, the commune's officer.
pub fn manages_users(user: &User, commune: &Commune) -> bool {
    match user.role {
        UserRole::Admin => true,
        UserRole::ProvinceOfficer => user.province_code == Some(commune.province_code),
        UserRole::CommuneOfficer => user.commune_code == Some(commune.code),
        _ => false,
    }
}

/// The roles an officer may give within a commune.
pub fn grantable_roles(user: &User) -> &'static [UserRole] {
    match user.role {
        UserRole::Admin | UserRole::ProvinceOfficer => &[
            UserRole::CommuneOfficer,
            UserRole::TeamLeader,
            UserRole::TeamMember,
        ],
        UserRole::CommuneOfficer => &[
            UserRole::CommuneOfficer,
            UserRole::TeamLeader,
            UserRole::TeamMember,
        ],
        _ => &[],
    }
}

pub fn forbidden() -> WebError {
    WebError::Forbidden("Bạn không có quyền truy cập nội dung này.".into())
}

impl Access {
    pub fn officer(self) -> Result<(), WebError> {
        match self {
            Access::Manage | Access::Read => Ok(()),
            Access::Team { .. } => Err(forbidden()),
        }
    }

    pub fn manager(self) -> Result<(), WebError> {
        match self {
            Access::Manage => Ok(()),
            _ => Err(forbidden()),
        }
    }

    pub fn team_view(self, team: i64) -> Result<(), WebError> {
        match self {
            Access::Manage | Access::Read => Ok(()),
            Access::Team { team_id, .. } if team_id == team => Ok(()),
            _ => Err(forbidden()),
        }
    }

    /// May log support activities for `team`: its members and leader, and
    /// the commune's managers.
    pub fn team_log(self, team: i64) -> bool {
        match self {
            Access::Manage => true,
            Access::Team { team_id, .. } => team_id == team,
            Access::Read => false,
        }
    }

    pub fn team_manage(self, team: i64) -> bool {
        match self {
            Access::Manage => true,
            Access::Team {
                team_id, leader, ..
            } => leader && team_id == team,
            Access::Read => false,
        }
    }

    /// May edit the details of `person` in `team`: the team's managers, or
    /// the member themself.
    pub fn profile(self, team: i64, person: i64) -> bool {
        self.team_manage(team)
            || matches!(self, Access::Team { team_id, person_id: Some(p), .. } if team_id == team && p == person)
    }
}

/// A user's access to one province's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProvinceAccess {
    /// The province's workspace: its officer (and admin) read every commune,
    /// post requests, manage the accounts of its communes.
    Manage,
    /// Read only: the Ministry.
    Read,
}

pub fn province_access(user: &User, province_code: i32) -> Option<ProvinceAccess> {
    match user.role {
        UserRole::Admin => Some(ProvinceAccess::Manage),
        UserRole::ProvinceOfficer if user.province_code == Some(province_code) => {
            Some(ProvinceAccess::Manage)
        }
        UserRole::MinistryOfficer => Some(ProvinceAccess::Read),
        _ => None,
    }
}

/// Whether `user` reads the whole country (admin, the Ministry).
pub fn reads_nation(user: &User) -> bool {
    matches!(user.role, UserRole::Admin | UserRole::MinistryOfficer)
}

/// Whether `user` may read the figures of `node`; `commune_of_village`
/// resolves a village's commune.
pub fn reads_node(user: &User, node: Node, commune: Option<&Commune>) -> bool {
    match (user.role, node) {
        (UserRole::Admin | UserRole::MinistryOfficer, _) => true,
        (_, Node::Nation) => false,
        (UserRole::ProvinceOfficer, Node::Province(p)) => user.province_code == Some(p),
        (_, Node::Province(_)) => false,
        (_, Node::Commune(_) | Node::Village(_)) => commune
            .and_then(|c| commune_access(user, c))
            .is_some_and(|a| a.officer().is_ok()),
    }
}
