//! The six application types (web, ssh, ssh-gw, tcp, rdp, segment) on one wire model, bound to a site after create.

use crate::engine::datasource::DataSourceDef;
use crate::engine::resource::Resource;

pub fn resources() -> Vec<Box<dyn Resource>> {
    vec![]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![]
}
