//! Snapshot cases of the recommendations left to the assessor: MANUAL, saying what to check and
//! that no API read is made.

use crate::checks::fixtures::*;

snapshot_cases! {
    data_discovery_is_for_the_assessor: "5.0.0", ["2.1.3"], |inv| {},
    web_frontend_logging_is_for_the_assessor: "7.0.0", ["4.10"], |inv| {},
}
