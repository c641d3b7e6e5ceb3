//! `luminate_connector` and `luminate_site_registration_key_version`.

use crate::engine::datasource::DataSourceDef;
use crate::engine::resource::Resource;

pub fn resources() -> Vec<Box<dyn Resource>> {
    vec![]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![]
}
