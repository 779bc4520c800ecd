//! How states, outcomes and transitions are printed, as text and as JSON.

use memory_model::ir::{Scenario, Value};
use serde_json::{Map, Value as Json};

/// Observed values as herd prints a state: `0:r0=0; 1:r0=1; x=1;`.
pub fn state_text(scenario: &Scenario, values: &[Value]) -> String {
    scenario
        .observed
        .iter()
        .zip(values)
        .map(|(&o, &v)| {
            format!(
                "{}={};",
                scenario.observable_name(o),
                scenario.format_value(v)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Observed values as a JSON object from names to integers (an address is
/// shown as the name of the location it points at).
pub fn state_json(scenario: &Scenario, values: &[Value]) -> Json {
    let mut m = Map::new();
    for (&o, &v) in scenario.observed.iter().zip(values) {
        let value = match memory_model::ir::location_at(v, scenario.locations.len()) {
            Some(_) => Json::from(scenario.format_value(v)),
            None => Json::from(v),
        };
        m.insert(scenario.observable_name(o), value);
    }
    Json::Object(m)
}
