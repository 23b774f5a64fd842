//! The ceiling's parser: a giveInput packet read by serde_json straight into typed structs with
//! borrowed strings, no SDK involved.

use serde::Deserialize;

#[derive(Deserialize)]
#[allow(dead_code)]
pub struct TypedPacket<'a> {
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub id: u32,
    pub method: &'a str,
    pub discard: bool,
    pub seq: i32,
    #[serde(borrow)]
    pub params: TypedParams<'a>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
pub struct TypedParams<'a> {
    #[serde(rename = "participantID")]
    pub participant: &'a str,
    #[serde(rename = "transactionID", default)]
    pub transaction: Option<&'a str>,
    #[serde(borrow)]
    pub input: TypedInput<'a>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
pub struct TypedInput<'a> {
    #[serde(rename = "controlID")]
    pub control: &'a str,
    pub event: &'a str,
    pub button: i32,
}
