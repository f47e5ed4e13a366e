//! The path parameters of the API's routes as the OpenAPI document
//! describes them, each written once: a route says `params(CommunePath,
//! PeriodQuery)` or `params(RequestPath, KeyParam)`, not the code's and
//! the id's name, type and wording again. The handlers read the path
//! themselves (`ReadCommune`, `Id`), so that a
//! malformed code gets the API's Vietnamese problem; these types only
//! describe it.

use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::Required;

/// A required path parameter holding an integer of `format`.
fn integer(name: &str, format: KnownFormat, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(format))),
        ))
        .build()
}

/// `{code}`: a commune's or a province's code.
fn code(description: &str) -> Parameter {
    integer("code", KnownFormat::Int32, description)
}

/// `{id}`: a record's number.
fn id(description: &str) -> Parameter {
    integer("id", KnownFormat::Int64, description)
}

macro_rules! path_params {
    ($($(#[$doc:meta])* $name:ident => [$($param:expr),+ $(,)?];)+) => {
        $(
            $(#[$doc])*
            pub struct $name;

            impl utoipa::IntoParams for $name {
                fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                    vec![$($param),+]
                }
            }
        )+
    };
}

path_params! {
    /// `/provinces/{code}…`
    ProvincePath => [code("Mã tỉnh")];
    /// `/communes/{code}…`
    CommunePath => [code("Mã xã")];
    /// `/communes/{code}/teams/{id}…`
    TeamPath => [code("Mã xã"), id("Số hiệu của tổ")];
    /// `/communes/{code}/activities/{id}`
    ActivityPath => [code("Mã xã"), id("Số hiệu của lượt hỗ trợ")];
    /// `/communes/{code}/help-requests/{id}…`
    RequestPath => [code("Mã xã"), id("Số hiệu của yêu cầu")];
    /// `/communes/{code}/reports/{id}…`
    ReportPath => [code("Mã xã"), id("Số hiệu của phiên bản báo cáo")];
}
