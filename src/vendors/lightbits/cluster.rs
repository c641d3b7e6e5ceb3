//! Lightbits entities of this area (being built); listed by the provider in mod.rs.

use crate::engine::action::ActionDef;
use crate::engine::datasource::DataSourceDef;
use crate::engine::resource::Resource;

pub fn resources() -> Vec<Box<dyn Resource>> {
    vec![]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![]
}

pub fn actions() -> Vec<ActionDef> {
    vec![]
}
