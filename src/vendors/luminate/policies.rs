//! Access policies (web, tcp, ssh, rdp), `luminate_web_activity_policy` and the `luminate_shared_object` data source.

use crate::engine::datasource::DataSourceDef;
use crate::engine::resource::Resource;

pub fn resources() -> Vec<Box<dyn Resource>> {
    vec![]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![]
}
