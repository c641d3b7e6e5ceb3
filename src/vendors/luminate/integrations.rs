//! `luminate_aws_integration`, `luminate_aws_integration_bind`, DNS resiliency groups and servers, and the `luminate_aws_integration` and `luminate_ssh_client` data sources.

use crate::engine::datasource::DataSourceDef;
use crate::engine::resource::Resource;

pub fn resources() -> Vec<Box<dyn Resource>> {
    vec![]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![]
}
