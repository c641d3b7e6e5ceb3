//! Directory entities: `luminate_resources_group`, `luminate_group_user`, the role bindings (`luminate_tenant_role`, `luminate_collection_role`, `luminate_site_role`) and the `luminate_group`, `luminate_user`, `luminate_identity_provider` data sources.

use crate::engine::datasource::DataSourceDef;
use crate::engine::resource::Resource;

pub fn resources() -> Vec<Box<dyn Resource>> {
    vec![]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![]
}
