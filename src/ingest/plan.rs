//! Records of the usual shapes built straight into their event, by a plan of each template.
//!
//! [`binxml::write`](super::binxml::write) gives the event parser a record's elements one by
//! one, and the parser decides for each what it is (a System field, a `Data`, an attribute it
//! keeps...) by its name and the elements around it. Within a chunk, a template's elements and
//! their places never change from one record to the next, only the values do, so those
//! decisions are taken once per template ([`Plans`]) and each record only sets its values where
//! they go: the same event, with the same text in the same order, and the same [`Spend`].
//! An element that holds one value and nothing else (a System field, a `Data` with a constant
//! `Name`: most of an event) is one step of the walk ([`Act::Value`]), not five.
//!
//! A plan covers the shapes Security logs have: `System` and its fields, `EventData` with its
//! `Data` and `Binary`, values that are template instances standing at the event's root or
//! inside `EventData` (how Windows stores the body), and elements the parser ignores. Anything
//! else (UserData, RenderingInfo, text between elements, a limit reached, a value of a kind
//! that changes the element structure) gives no plan or gives up on the record, and the record
//! goes the way of [`binxml::write`](super::binxml::write).

use super::binxml::{
    Act, AttrTo, Op, Opens, Place, Span, Spend, Template, Templates, Val, Values, MAX_DEPTH,
    MAX_TEXT,
};
use crate::decoder::{has_system_attrs, sys_field, system_attr, BodyKind, Builder};

/// The index in [`Plans`] of an instance whose parent element is `parent`, if a plan can take
/// one there.
fn slot(parent: Option<Place>) -> Option<usize> {
    match parent {
        None => Some(0),
        Some(Place::Root) => Some(1),
        Some(Place::EventData) => Some(2),
        Some(_) => None,
    }
}

/// The decisions for `t` standing inside `parent` (`None`: the record's own instance), as the
/// event parser would take them for its elements; `None` for a shape left to the parser.
fn compile(t: &Template, parent: Option<Place>) -> Option<Vec<Act>> {
    let mut acts = Vec::with_capacity(t.ops.len());
    let mut open: Vec<Place> = Vec::new();
    // The element whose attributes follow: its name, whether it stands in System, and what
    // opening it does.
    let mut opening: Option<(&str, bool, Opens)> = None;
    let mut parts = 0u32;
    for op in &t.ops {
        let act = match *op {
            Op::Open { name, empty, .. } => {
                let name = t.str(name);
                let (place, opens) = match open.last().copied().or(parent) {
                    // An empty root closes the event at once: left to the parser.
                    None if empty => return None,
                    None => (Place::Root, Opens::Nothing),
                    // The parser reports an `<Event>` inside an event.
                    Some(_) if name == "Event" => return None,
                    Some(Place::Root) => match name {
                        "System" => (Place::System, Opens::Nothing),
                        "EventData" => (Place::EventData, Opens::EventData),
                        "UserData"
                        | "BinaryEventData"
                        | "ProcessingErrorData"
                        | "DebugData"
                        | "RenderingInfo" => return None,
                        _ => (Place::Ignored, Opens::Nothing),
                    },
                    Some(Place::System) => (
                        sys_field(name).map_or(Place::Ignored, Place::Sys),
                        Opens::Nothing,
                    ),
                    Some(Place::EventData) => match name {
                        "Data" => (Place::Leaf(0), Opens::Data),
                        "Binary" => (Place::Leaf(0), Opens::Binary),
                        _ => (Place::Ignored, Opens::Nothing),
                    },
                    Some(Place::Sys(_) | Place::Leaf(_) | Place::Ignored) => {
                        (Place::Ignored, Opens::Nothing)
                    }
                };
                let in_system = open.last().copied().or(parent) == Some(Place::System);
                opening = Some((name, in_system, opens));
                if !empty {
                    open.push(place);
                }
                Act::Open(place, opens)
            }
            Op::Attr { name, parts: n } => {
                let attr = t.str(name);
                parts = u32::from(n);
                Act::Attr(match opening {
                    Some((el, true, _)) if has_system_attrs(el) => {
                        system_attr(el, attr).map_or(AttrTo::Nowhere, AttrTo::Sys)
                    }
                    Some((_, _, Opens::Data)) if attr == "Name" => AttrTo::DataName,
                    _ => AttrTo::Nowhere,
                })
            }
            Op::Text(_) | Op::Sub(_) if parts > 0 => {
                parts -= 1;
                Act::Other
            }
            Op::Text(s) => {
                // Text between elements matters to the parser only as a list marker.
                let between = matches!(
                    open.last(),
                    Some(Place::Root | Place::System | Place::EventData)
                );
                if between && t.str(s).contains('-') {
                    return None;
                }
                Act::Other
            }
            Op::Sub(_) => Act::Other,
            Op::End(_) => {
                open.pop();
                opening = None;
                Act::Other
            }
        };
        acts.push(act);
    }
    for i in 0..acts.len() {
        if let Some(act) = one_value(t, &acts, i) {
            acts[i] = act;
        }
    }
    Some(acts)
}

/// [`Act::Value`] for op `i`, compiled as `acts[i]`, if it opens a System field or a `Data`
/// that holds one value and nothing else (with a constant, non-empty `Name` first or none): the
/// shapes nearly every element of a Security event has, walked in one step.
fn one_value(t: &Template, acts: &[Act], i: usize) -> Option<Act> {
    let (
        Op::Open {
            attrs,
            empty: false,
            ..
        },
        Act::Open(place, opens),
    ) = (*t.ops.get(i)?, *acts.get(i)?)
    else {
        return None;
    };
    let named = match (place, opens, attrs) {
        (Place::Sys(_), Opens::Nothing, 0) | (Place::Leaf(_), Opens::Data, 0) => false,
        (Place::Leaf(_), Opens::Data, 1) => {
            match (t.ops.get(i + 1)?, acts.get(i + 1)?, t.ops.get(i + 2)?) {
                (Op::Attr { parts: 1, .. }, Act::Attr(AttrTo::DataName), Op::Text(s))
                    if !t.str(*s).is_empty() =>
                {
                    true
                }
                _ => return None,
            }
        }
        _ => return None,
    };
    let at = i + 1 + 2 * usize::from(named);
    matches!(
        (t.ops.get(at)?, t.ops.get(at + 1)?),
        (Op::Sub(_), Op::End(_))
    )
    .then_some(Act::Value(place, named))
}

/// Working memory of [`write()`], kept from one record to the next.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// The value of the current attribute.
    attr: String,
    /// The elements open, as the parser's frames.
    open: Vec<Place>,
}

/// Gives `b` the event of the record that `values` read, by the plans of the chunk's
/// `templates`, and what the crate could have spent rendering it ([`Spend`], as
/// [`binxml::write`](super::binxml::write) counts it); `None`, with `b` half built, when a
/// plan does not take the record.
pub(crate) fn write(
    templates: &Templates,
    values: &Values,
    scratch: &mut Scratch,
    b: &mut Builder<'_>,
) -> Option<Spend> {
    scratch.open.clear();
    let mut w = Planned {
        templates,
        values,
        s: scratch,
        b,
        pending: 0,
        depth: 0,
        spend: Spend::default(),
    };
    w.instance(0)?;
    w.flush();
    (w.spend.out <= MAX_TEXT && w.s.open.is_empty()).then_some(w.spend)
}

struct Planned<'a, 'b> {
    templates: &'a Templates,
    values: &'a Values,
    s: &'a mut Scratch,
    b: &'a mut Builder<'b>,
    /// Bytes of the current text node so far.
    pending: usize,
    /// Elements open, nested instances' included.
    depth: usize,
    spend: Spend,
}

impl Planned<'_, '_> {
    /// The values of instance `index` where its template's plan places them; the template is
    /// walked as [`binxml::write`](super::binxml::write) walks it, for the same spend.
    fn instance(&mut self, index: u32) -> Option<()> {
        let values = self.values;
        let (t, _, _) = *values.instances.get(index as usize)?;
        let template = self.templates.get(t)?;
        let parent = self.s.open.last().copied();
        let acts = template.plans[slot(parent)?]
            .get_or_init(|| compile(template, parent))
            .as_deref()?;
        let ops = &template.ops;
        let mut depth = 0usize;
        let mut i = 0;
        while i < ops.len() {
            self.spend.nodes += 2;
            match (ops[i], acts[i]) {
                (
                    Op::Open {
                        name,
                        dependency,
                        attrs,
                        empty,
                        next,
                    },
                    Act::Open(place, opens),
                ) => {
                    if values.leaves_out(index, depth, dependency) {
                        i = next as usize;
                        continue;
                    }
                    self.flush();
                    i += 1;
                    let mut data_name = Default::default();
                    let mut given = 0;
                    for _ in 0..attrs {
                        let (Op::Attr { name, parts }, Act::Attr(to)) = (ops[i], acts[i]) else {
                            return None;
                        };
                        i += 1;
                        let parts = usize::from(parts);
                        self.spend.nodes += 2 * (1 + parts);
                        let attr = &mut self.s.attr;
                        attr.clear();
                        values.attribute(template, index, &ops[i..i + parts], attr)?;
                        i += parts;
                        // An attribute with an empty value is left out.
                        if !attr.is_empty() {
                            given += 1;
                            self.spend.attribute(name, attr.len());
                            let ev = self.b.event_mut();
                            match to {
                                AttrTo::Nowhere => {}
                                AttrTo::Sys(f) => ev.sys[f as usize] = ev.push_str(attr),
                                AttrTo::DataName => data_name = ev.push_str(attr),
                            }
                        }
                    }
                    self.spend.element(name);
                    if self.spend.out > MAX_TEXT || (!empty && self.depth >= MAX_DEPTH) {
                        return None;
                    }
                    // The parser's own limits: it decides what happens past them.
                    let limits = self.b.limits();
                    if given > limits.max_attributes
                        || (!empty && self.s.open.len() >= limits.max_depth)
                    {
                        return None;
                    }
                    let ev = self.b.event_mut();
                    let place = match opens {
                        Opens::Nothing => place,
                        Opens::EventData => {
                            ev.body = BodyKind::EventData;
                            place
                        }
                        Opens::Data | Opens::Binary => {
                            let name = match opens {
                                Opens::Binary => ev.push_str("Binary"),
                                _ => data_name,
                            };
                            ev.fields.push((name, Default::default()));
                            Place::Leaf(u32::try_from(ev.fields.len() - 1).ok()?)
                        }
                    };
                    if !empty {
                        self.s.open.push(place);
                        depth += 1;
                        self.depth += 1;
                    }
                }
                (
                    Op::Open {
                        name,
                        dependency,
                        next,
                        ..
                    },
                    Act::Value(to, named),
                ) => {
                    if values.leaves_out(index, depth, dependency) {
                        i = next as usize;
                        continue;
                    }
                    i = self.value(template, index, i, name, to, named)?;
                }
                (Op::Text(s), _) => {
                    self.text(template.str(s))?;
                    i += 1;
                }
                (Op::Sub(v), _) => {
                    match values.get(index, v) {
                        Val::Text(a, b) => self.text(values.str(a, b))?,
                        Val::Null => {}
                        Val::Nested(inner) => {
                            self.flush();
                            self.instance(inner)?;
                        }
                    }
                    i += 1;
                }
                (Op::End(_), _) => {
                    self.flush();
                    self.s.open.pop();
                    if self.s.open.is_empty() {
                        self.b.close_root();
                    }
                    depth = depth.saturating_sub(1);
                    self.depth = self.depth.saturating_sub(1);
                    i += 1;
                }
                _ => return None,
            }
        }
        Some(())
    }

    /// The element opened at op `i` of `template` (named `name`), which holds one value of
    /// `instance` ([`Act::Value`]), to the System field or new body field `to`: what the steps
    /// of its open, its constant `Name` if `named`, its value and its end would do, with the
    /// same limits and spend. Gives the op after its end.
    fn value(
        &mut self,
        template: &Template,
        instance: u32,
        i: usize,
        name: Span,
        to: Place,
        named: bool,
    ) -> Option<usize> {
        let ops = &template.ops;
        let values = self.values;
        self.flush();
        let data_name = if named {
            let (Op::Attr { name: attr, .. }, Op::Text(s)) = (ops[i + 1], ops[i + 2]) else {
                return None;
            };
            self.spend.nodes += 4;
            let value = template.str(s);
            self.spend.attribute(attr, value.len());
            self.b.event_mut().push_str(value)
        } else {
            Default::default()
        };
        let at = i + 1 + 2 * usize::from(named);
        let Op::Sub(v) = ops[at] else {
            return None;
        };
        self.spend.element(name);
        if self.spend.out > MAX_TEXT || self.depth >= MAX_DEPTH {
            return None;
        }
        let limits = self.b.limits();
        if usize::from(named) > limits.max_attributes || self.s.open.len() >= limits.max_depth {
            return None;
        }
        let max_value = limits.max_value_bytes;
        let piece = match values.get(instance, v) {
            Val::Text(a, b) => values.str(a, b),
            Val::Null => "",
            // A template instance inside a System field or a `Data`: not a shape a plan takes.
            Val::Nested(_) => return None,
        };
        // The value and the end.
        self.spend.nodes += 4;
        self.spend.text(piece.len());
        let ev = self.b.event_mut();
        match to {
            Place::Sys(f) => {
                if !piece.is_empty() {
                    let cur = ev.sys[f as usize];
                    if cur.len as usize + piece.len() > max_value {
                        return None;
                    }
                    ev.sys[f as usize] = ev.append(cur, piece);
                }
            }
            _ => {
                if piece.len() > max_value {
                    return None;
                }
                let value = if piece.is_empty() {
                    Default::default()
                } else {
                    ev.push_str(piece)
                };
                ev.fields.push((data_name, value));
            }
        }
        Some(at + 2)
    }

    /// A piece of the current text node, into the value of the element it is in (as the parser
    /// appends each piece it is given of a text node).
    fn text(&mut self, piece: &str) -> Option<()> {
        self.pending += piece.len();
        if piece.is_empty() {
            return Some(());
        }
        let limit = self.b.limits().max_value_bytes;
        let ev = self.b.event_mut();
        let value = match self.s.open.last() {
            Some(Place::Sys(f)) => &mut ev.sys[*f as usize],
            Some(Place::Leaf(at)) => &mut ev.fields.get_mut(*at as usize)?.1,
            // Text between elements: a list marker to the parser, or nothing.
            Some(Place::Root | Place::System | Place::EventData) if piece.contains('-') => {
                return None
            }
            _ => return Some(()),
        };
        let cur = *value;
        if cur.len as usize + piece.len() > limit {
            return None;
        }
        let joined = ev.append(cur, piece);
        match self.s.open.last() {
            Some(Place::Sys(f)) => ev.sys[*f as usize] = joined,
            Some(Place::Leaf(at)) => ev.fields[*at as usize].1 = joined,
            _ => {}
        }
        Some(())
    }

    /// The current text node ends: what writing it could have cost.
    fn flush(&mut self) {
        self.spend.text(self.pending);
        self.pending = 0;
    }
}
