//! Typed views of the events keytrail is about, and what every event can say about itself:
//! its outcome, the account that acted, and its fields decoded.

use super::event::{Event, SysField};
use super::table::{self, AUDIT_FAILURE, AUDIT_SUCCESS};
use super::value::parse_number;
use serde::{Deserialize, Serialize};

/// Success or failure of the audited action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Audit Success (and, for key events, ReturnCode 0x0).
    Success,
    /// Audit Failure, or a key event whose ReturnCode is not 0x0.
    Failure,
}

impl Outcome {
    /// `"success"` or `"failure"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }
}

/// True for the CNG key events 5058, 5059 and 5061.
pub fn is_key_event(event_id: u32) -> bool {
    matches!(event_id, 5058 | 5059 | 5061)
}

/// What a key operation of 5058, 5059 or 5061 does, from its `Operation` code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperationKind {
    /// Import of a persistent key (5059, `%%2465`).
    Import,
    /// A key read from its file (5058, `%%2458`).
    ReadFromFile,
    /// A key or key file created or deleted (`%%2481`, `%%2482`, `%%2457`).
    CreateOrDelete,
    /// A key written to its file (5058, `%%2459`).
    WriteToFile,
    /// Export of a persistent key (5059, `%%2464`).
    Export,
    /// A key or key file opened (`%%2480`, `%%2456`).
    Open,
    /// The key used: encrypt, decrypt, sign, secret agreement, key derivation (5061).
    Use,
    /// Anything else.
    Other,
}

impl OperationKind {
    /// The kind of an `Operation` value, as logged (`%%2464`) or in words ("Export of persistent
    /// cryptographic key.").
    pub fn of(operation: &str) -> OperationKind {
        let code = operation
            .trim()
            .strip_prefix("%%")
            .and_then(|n| n.parse::<u32>().ok())
            .or_else(|| table::code_of(operation));
        match code {
            Some(2465) => Self::Import,
            Some(2458) => Self::ReadFromFile,
            Some(2457 | 2481 | 2482) => Self::CreateOrDelete,
            Some(2459) => Self::WriteToFile,
            Some(2464) => Self::Export,
            Some(2456 | 2480) => Self::Open,
            Some(2483..=2486 | 2501) => Self::Use,
            _ => Self::Other,
        }
    }
}

/// Windows' title of a Security log event (`4738` → "A user account was changed"), from
/// [`table::event_name`] (the fact table `facts/facts_security_events.tsv`).
pub fn event_name(event_id: u32) -> Option<&'static str> {
    table::event_name(event_id)
}

/// The account an event is about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Account<'a> {
    /// The SID as logged.
    pub sid: &'a str,
    /// The domain (or computer, or `NT AUTHORITY`).
    pub domain: &'a str,
    /// The account name.
    pub user: &'a str,
    /// The logon session (hex LUID as logged).
    pub logon_id: &'a str,
}

impl Account<'_> {
    /// `DOMAIN\user`, or the part that is present.
    pub fn display(&self) -> String {
        let mut out = String::new();
        self.write_display(&mut out);
        out
    }

    /// Appends [`Account::display`] to `out` (no allocation when `out` has room).
    pub fn write_display(&self, out: &mut String) {
        match (self.domain.is_empty(), self.user.is_empty()) {
            (false, false) => {
                out.push_str(self.domain);
                out.push('\\');
                out.push_str(self.user);
            }
            (true, false) => out.push_str(self.user),
            (false, true) => {
                out.push_str(self.domain);
                out.push('\\');
            }
            (true, true) => out.push_str(self.sid),
        }
    }
}

/// Which account of an event a body field names, and which of its four fields it is (SID,
/// domain, user, logon ID), for one-pass lookups ([`Event::first_found`]). `true` for the
/// Target, `false` for the Subject.
fn account_field(name: &[u8]) -> Option<(bool, usize)> {
    Some(match name {
        b"SubjectUserSid" => (false, 0),
        b"SubjectDomainName" => (false, 1),
        b"SubjectUserName" => (false, 2),
        b"SubjectLogonId" => (false, 3),
        b"TargetUserSid" => (true, 0),
        b"TargetDomainName" => (true, 1),
        b"TargetUserName" => (true, 2),
        b"TargetLogonId" => (true, 3),
        _ => return None,
    })
}

/// Where a field of the account `target` says goes in a one-pass lookup: its place among the
/// four, from 0.
fn account_slot(name: &[u8], target: bool) -> Option<usize> {
    account_field(name).and_then(|(t, i)| (t == target).then_some(i))
}

/// Whether the account an event is about is its Target (logon and logoff), not its Subject.
fn acts_as_target(event_id: u32) -> bool {
    matches!(event_id, 4624 | 4625 | 4634 | 4647)
}

impl<'a> Account<'a> {
    /// The account from the four values [`account_slot`] found; with neither
    /// SID nor user, the SID is the System's `UserID`.
    fn found(ev: &'a Event, [sid, domain, user, logon_id]: [Option<&'a str>; 4]) -> Self {
        let mut a = Account {
            sid: sid.unwrap_or(""),
            domain: domain.unwrap_or(""),
            user: user.unwrap_or(""),
            logon_id: logon_id.unwrap_or(""),
        };
        if a.sid.is_empty() && a.user.is_empty() {
            a.sid = ev.system(SysField::UserId);
        }
        a
    }
}

impl Event {
    /// Success or failure: Audit Failure/Success keywords, and for key events a ReturnCode other
    /// than 0x0 means failure. `None` when the event says neither.
    pub fn outcome(&self) -> Option<Outcome> {
        if is_key_event(self.event_id()) {
            if let Some(rc) = self.data("ReturnCode").and_then(parse_number) {
                if rc != 0 {
                    return Some(Outcome::Failure);
                }
            }
        }
        let kw = self.keywords()?;
        if kw & AUDIT_FAILURE != 0 {
            Some(Outcome::Failure)
        } else if kw & AUDIT_SUCCESS != 0 {
            Some(Outcome::Success)
        } else {
            None
        }
    }

    /// The account that acted: the Target of logon/logoff events, the Subject otherwise.
    pub fn account(&self) -> Account<'_> {
        let target = acts_as_target(self.event_id());
        Account::found(self, self.first_found(|n| account_slot(n, target)))
    }

    /// The decoded form of a body field's value, when a table decodes it.
    pub fn decoded(&self, name: &str, raw: &str) -> Option<String> {
        table::decode(name, raw)
    }

    /// Every body field that a table decodes: name → human text, in document order.
    pub fn decoded_fields(&self) -> Vec<(&str, String)> {
        self.fields()
            .filter_map(|f| table::decode(f.name, f.value).map(|d| (f.name, d)))
            .collect()
    }

    /// The decoded form of a System field, when a table decodes it. The event's name (what
    /// `EventID` stands for) is not one: it is [`event_name`], looked up where it is shown, so
    /// that the decoding worker carries no table of names.
    pub fn decoded_system(&self, field: SysField) -> Option<String> {
        let raw = self.system(field);
        let num = || parse_number(raw);
        match field {
            SysField::Level => num().and_then(table::level_name).map(str::to_string),
            SysField::Task => num().and_then(table::task_name).map(str::to_string),
            SysField::Opcode => num().and_then(table::opcode_name).map(str::to_string),
            SysField::Keywords => {
                let names = table::keyword_names(num()?);
                (!names.is_empty()).then(|| names.join(", "))
            }
            SysField::TimeCreated => self.time().map(|t| t.to_string()),
            SysField::UserId => table::sid_name(raw).map(str::to_string),
            _ => None,
        }
    }

    /// The typed view of the event, when keytrail has one for its ID.
    pub fn view(&self) -> View<'_> {
        match self.event_id() {
            5059 => View::KeyMigration(KeyEvent::new(self)),
            5058 => View::KeyFile(KeyEvent::new(self)),
            5061 => View::Cryptographic(KeyEvent::new(self)),
            4624 => View::Logon(Logon::new(self)),
            4634 | 4647 => View::Logoff(Logoff {
                account: self.account(),
                logon_type: self.data("LogonType").and_then(parse_number),
            }),
            4672 => View::SpecialLogon(SpecialLogon {
                account: self.account(),
                privileges: self
                    .data("PrivilegeList")
                    .unwrap_or("")
                    .split_whitespace()
                    .collect(),
            }),
            _ => View::Other,
        }
    }
}

/// A typed view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum View<'a> {
    /// 5059 Key migration operation (export or import of a persistent key).
    KeyMigration(KeyEvent<'a>),
    /// 5058 Key file operation.
    KeyFile(KeyEvent<'a>),
    /// 5061 Cryptographic operation.
    Cryptographic(KeyEvent<'a>),
    /// 4624 logon.
    Logon(Logon<'a>),
    /// 4634 or 4647 logoff.
    Logoff(Logoff<'a>),
    /// 4672 special privileges.
    SpecialLogon(SpecialLogon<'a>),
    /// Any other event.
    Other,
}

/// The fields of 5058, 5059 and 5061: Subject, crypto parameters, operation, return code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyEvent<'a> {
    /// Who asked for the operation.
    pub subject: Account<'a>,
    /// The key storage provider (`ProviderName`).
    pub provider: &'a str,
    /// `AlgorithmName` as logged.
    pub algorithm: &'a str,
    /// `KeyName`: the key container.
    pub key_name: &'a str,
    /// `KeyType` as logged (`%%2499` machine key, `%%2500` user key).
    pub key_type: &'a str,
    /// `KeyFilePath` (5058 only).
    pub key_file_path: Option<&'a str>,
    /// `Operation` as logged (`%%2464` export, `%%2465` import…).
    pub operation: &'a str,
    /// `ReturnCode` as logged.
    pub return_code: &'a str,
    /// `ProcessId`, logged by newer Windows builds.
    pub process_id: Option<&'a str>,
    /// `ProcessCreationTime`, logged by newer Windows builds.
    pub process_creation_time: Option<&'a str>,
}

impl<'a> KeyEvent<'a> {
    fn new(ev: &'a Event) -> Self {
        let [sid, domain, user, logon_id, provider, algorithm, key_name, key_type, key_file_path, operation, return_code, process_id, process_creation_time] =
            ev.first_found(|n| match n {
                b"ProviderName" => Some(4),
                b"AlgorithmName" => Some(5),
                b"KeyName" => Some(6),
                b"KeyType" => Some(7),
                b"KeyFilePath" => Some(8),
                b"Operation" => Some(9),
                b"ReturnCode" => Some(10),
                b"ProcessId" => Some(11),
                b"ProcessCreationTime" => Some(12),
                n => account_slot(n, false),
            });
        Self {
            subject: Account::found(ev, [sid, domain, user, logon_id]),
            provider: provider.unwrap_or(""),
            algorithm: algorithm.unwrap_or(""),
            key_name: key_name.unwrap_or(""),
            key_type: key_type.unwrap_or(""),
            key_file_path,
            operation: operation.unwrap_or(""),
            return_code: return_code.unwrap_or(""),
            process_id,
            process_creation_time,
        }
    }

    /// True for a machine key (`%%2499`).
    pub fn is_machine_key(&self) -> bool {
        self.key_type.trim() == "%%2499"
    }

    /// True for an export of a persistent key (`%%2464`).
    pub fn is_export(&self) -> bool {
        self.operation.trim() == "%%2464"
    }

    /// True for an import of a persistent key (`%%2465`).
    pub fn is_import(&self) -> bool {
        self.operation.trim() == "%%2465"
    }

    /// The operation in words ("Export of persistent cryptographic key."), or as logged.
    pub fn operation_text(&self) -> &'a str {
        table::in_words(self.operation)
    }

    /// The algorithm as shown: a `%%NNNN` value (`%%2432` "Not Available.") in words, else as
    /// logged.
    pub fn algorithm_text(&self) -> &'a str {
        table::in_words(self.algorithm)
    }

    /// The key type in words ("User key."), or as logged.
    pub fn key_type_text(&self) -> &'a str {
        table::in_words(self.key_type)
    }
}

/// The fields of 4624 needed to describe a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logon<'a> {
    /// The account that logged on.
    pub target: Account<'a>,
    /// The account that reported the logon.
    pub subject: Account<'a>,
    /// `LogonType`.
    pub logon_type: Option<u64>,
    /// `WorkstationName`.
    pub workstation: &'a str,
    /// `IpAddress`.
    pub ip_address: &'a str,
    /// `IpPort`.
    pub ip_port: &'a str,
    /// `AuthenticationPackageName`.
    pub authentication_package: &'a str,
    /// `LogonProcessName`.
    pub logon_process: &'a str,
    /// `ElevatedToken` as logged.
    pub elevated_token: &'a str,
}

impl<'a> Logon<'a> {
    fn new(ev: &'a Event) -> Self {
        let [t_sid, t_domain, t_user, t_logon, s_sid, s_domain, s_user, s_logon, workstation, ip_address, ip_port, auth, process, elevated, logon_type] =
            ev.first_found(|n| match n {
                b"WorkstationName" => Some(8),
                b"IpAddress" => Some(9),
                b"IpPort" => Some(10),
                b"AuthenticationPackageName" => Some(11),
                b"LogonProcessName" => Some(12),
                b"ElevatedToken" => Some(13),
                b"LogonType" => Some(14),
                n => account_field(n).map(|(target, i)| if target { i } else { 4 + i }),
            });
        Self {
            target: Account::found(ev, [t_sid, t_domain, t_user, t_logon]),
            subject: Account {
                sid: s_sid.unwrap_or(""),
                domain: s_domain.unwrap_or(""),
                user: s_user.unwrap_or(""),
                logon_id: s_logon.unwrap_or(""),
            },
            logon_type: logon_type.and_then(parse_number),
            workstation: workstation.unwrap_or(""),
            ip_address: ip_address.unwrap_or(""),
            ip_port: ip_port.unwrap_or(""),
            authentication_package: auth.unwrap_or(""),
            logon_process: process.unwrap_or(""),
            elevated_token: elevated.unwrap_or(""),
        }
    }
}

/// 4634 or 4647.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logoff<'a> {
    /// The account that logged off.
    pub account: Account<'a>,
    /// `LogonType` (4634 only).
    pub logon_type: Option<u64>,
}

/// 4672.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecialLogon<'a> {
    /// The account that got the privileges.
    pub account: Account<'a>,
    /// The privileges, one per entry.
    pub privileges: Vec<&'a str>,
}
