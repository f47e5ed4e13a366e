//! Addressing nodes of the administrative tree.

use crate::enums::AdminLevel;
use crate::error::DomainError;

/// A node of the administrative tree: everything below a node belongs to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "level", content = "id", rename_all = "snake_case")]
pub enum Node {
    /// The whole country: every province.
    Nation,
    Province(i32),
    Commune(i32),
    Village(i64),
}

impl Node {
    pub fn level(self) -> AdminLevel {
        match self {
            Self::Nation => AdminLevel::Nation,
            Self::Province(_) => AdminLevel::Province,
            Self::Commune(_) => AdminLevel::Commune,
            Self::Village(_) => AdminLevel::Village,
        }
    }

    /// The id, widened to i64 (0 for the nation).
    pub fn id(self) -> i64 {
        match self {
            Self::Nation => 0,
            Self::Province(id) | Self::Commune(id) => i64::from(id),
            Self::Village(id) => id,
        }
    }

    /// Parses "nation", "province:31", "commune:11914", "village:5".
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let text = s.trim();
        if text.eq_ignore_ascii_case("nation") {
            return Ok(Self::Nation);
        }
        let err = || {
            DomainError::new(
                "node",
                format!(
                    "Mã đơn vị hành chính «{text}» không hợp lệ: cần dạng nation, \
                     province:31, commune:11914 hoặc village:5."
                ),
            )
        };
        let (level, id) = text.split_once(':').ok_or_else(err)?;
        let id = id.trim();
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        match AdminLevel::from_code(level.trim()).ok_or_else(err)? {
            AdminLevel::Nation => Err(err()),
            AdminLevel::Province => id.parse().map(Self::Province).map_err(|_| err()),
            AdminLevel::Commune => id.parse().map(Self::Commune).map_err(|_| err()),
            AdminLevel::Village => id.parse().map(Self::Village).map_err(|_| err()),
        }
    }
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Nation => f.write_str("nation"),
            _ => write!(f, "{}:{}", self.level().code(), self.id()),
        }
    }
}

impl std::str::FromStr for Node {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_round_trip() {
        for (s, node) in [
            ("nation", Node::Nation),
            ("province:31", Node::Province(31)),
            ("commune:11914", Node::Commune(11914)),
            ("village:5", Node::Village(5)),
        ] {
            assert_eq!(Node::parse(s).unwrap(), node);
            assert_eq!(node.to_string(), s);
        }
        assert_eq!(Node::Commune(11914).level(), AdminLevel::Commune);
        assert_eq!(Node::Village(5).id(), 5);
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "province",
            "province:",
            "country:1",
            "nation:1",
            "village:-1",
            "commune:x",
            "province:99999999999",
        ] {
            let err = Node::parse(s).unwrap_err();
            assert_eq!(err.field, "node");
            assert!(
                err.message.contains("Mã đơn vị hành chính"),
                "{}",
                err.message
            );
        }
    }

    #[test]
    fn serde_shape() {
        let json = serde_json::to_value(Node::Province(31)).unwrap();
        assert_eq!(json, serde_json::json!({"level": "province", "id": 31}));
        let back: Node = serde_json::from_value(json).unwrap();
        assert_eq!(back, Node::Province(31));
    }
}
