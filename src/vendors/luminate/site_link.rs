//! `luminate_collection_site_link`: the set of collections a site is linked to. The API
//! links with one request for many links and unlinks one link per request, so an update is
//! a set difference: hand-written, on the engine's trait and its diagnostics.

use async_trait::async_trait;
use serde_json::{json, Value as J};

use crate::engine::api::{ApiError, ApiRequest, Method};
use crate::engine::diag::Diagnostics;
use crate::engine::resource::{
    api_error_diag, ApplyRequest, ApplyResponse, Ctx, DeleteRequest, DeleteResponse, ImportState, Private, ReadRequest,
    ReadResponse, Resource, ResourceSchema,
};
use crate::engine::schema::{semantically_equal, Field, Semantic, Validator};
use crate::engine::template::percent_encode;
use crate::engine::value::Value;

pub struct SiteLink {
    schema: ResourceSchema,
}

pub fn site_link() -> SiteLink {
    let mut schema = ResourceSchema::new("luminate_collection_site_link", "site link", "{site_id}");
    schema.description = "The collections a site is linked to: the site's whole set of links (links to collections not listed are removed). Changing the list links and unlinks only the difference; destroying it unlinks them all.".into();
    schema.fields.extend([
        Field::string("site_id")
            .required()
            .validate(Validator::Uuid)
            .desc("The site. Changing it moves the links: the old site is unlinked, the new one linked."),
        Field::string_list("collection_ids")
            .required()
            .validate(Validator::MinItems(1))
            .semantic(Semantic::UnorderedStrings)
            .desc("Collections the site is linked to. Order does not matter; the API reports them sorted."),
    ]);
    SiteLink { schema }
}

impl SiteLink {
    fn what(&self, site: &str) -> String {
        format!("links of site {site}")
    }

    /// The collections the API links the site to now; `None` when the site is gone.
    async fn linked(&self, ctx: &Ctx, site: &str) -> Result<Option<Vec<String>>, Diagnostics> {
        let req = ApiRequest::get(format!("/collection/site/{}", percent_encode(site)));
        match ctx.api.call(req, &ctx.cancel).await {
            Ok(r) => {
                let mut ids: Vec<String> = r
                    .body
                    .get("collectionIds")
                    .and_then(J::as_array)
                    .map(|a| a.iter().filter_map(J::as_str).map(str::to_string).collect())
                    .unwrap_or_default();
                ids.sort();
                Ok(Some(ids))
            }
            Err(ApiError::NotFound(_)) => Ok(None),
            Err(e) => Err(api_error_diag("read", &self.what(site), e)),
        }
    }

    async fn link(&self, ctx: &Ctx, site: &str, collections: &[String]) -> Result<(), ApiError> {
        if collections.is_empty() {
            return Ok(());
        }
        let links: Vec<J> = collections.iter().map(|c| json!({"siteId": site, "collectionId": c})).collect();
        // Linking an existing link again is harmless to retry.
        let req =
            ApiRequest::new(Method::Post, "/collection/site-links").body(json!({ "links": links })).idempotent(true);
        ctx.api.call(req, &ctx.cancel).await.map(|_| ())
    }

    async fn unlink(&self, ctx: &Ctx, site: &str, collection: &str) -> Result<(), ApiError> {
        let path = format!("/collection/site-links/{}/{}", percent_encode(collection), percent_encode(site));
        match ctx.api.call(ApiRequest::new(Method::Delete, path), &ctx.cancel).await {
            Ok(_) | Err(ApiError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The state for `site` linked to `ids`, keeping the configuration's order when it
    /// holds the same collections.
    fn state(&self, base: &Value, site: &str, ids: Vec<String>) -> Value {
        let mut out = Value::Object(Default::default());
        out.set("id", Value::str(site));
        out.set("site_id", Value::str(site));
        let read = Value::string_list(ids);
        let field = self.schema.field("collection_ids");
        let keep = field.is_some_and(|f| semantically_equal(f, base.get("collection_ids"), &read));
        out.set("collection_ids", if keep { base.get("collection_ids").clone() } else { read });
        out
    }

    /// Links `want` and unlinks what `have` has beyond it; re-reads at the end so that
    /// state tells what the API holds even when a request failed half-way.
    async fn converge(
        &self,
        ctx: &Ctx,
        planned: &Value,
        site: &str,
        have: &[String],
        want: &[String],
    ) -> ApplyResponse {
        let added: Vec<String> = want.iter().filter(|c| !have.contains(c)).cloned().collect();
        let mut failure = self.link(ctx, site, &added).await.err();
        if failure.is_none() {
            for gone in have.iter().filter(|c| !want.contains(c)) {
                if let Err(e) = self.unlink(ctx, site, gone).await {
                    failure = Some(e);
                    break;
                }
            }
        }
        let mut diags = failure.map(|e| api_error_diag("update", &self.what(site), e)).unwrap_or_default();
        let state = match self.linked(ctx, site).await {
            Ok(Some(ids)) => Some(self.state(planned, site, ids)),
            Ok(None) => None,
            Err(d) => {
                diags.extend(d);
                None
            }
        };
        ApplyResponse { state, private: Private::default(), diags }
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.string_items()
}

#[async_trait]
impl Resource for SiteLink {
    fn schema(&self) -> &ResourceSchema {
        &self.schema
    }

    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let site = req.planned.get("site_id").as_str().unwrap_or_default().to_string();
        let have = match self.linked(ctx, &site).await {
            Ok(Some(ids)) => ids,
            Ok(None) => {
                return ApplyResponse {
                    state: None,
                    private: Private::default(),
                    diags: Diagnostics::error(format!("No site {site}"), "The site to link does not exist."),
                }
            }
            Err(d) => return ApplyResponse { state: None, private: Private::default(), diags: d },
        };
        // The resource is the site's whole set of links (reads report them all, as the Go
        // provider's do): links to collections not configured are removed.
        let want = strings(req.planned.get("collection_ids"));
        self.converge(ctx, req.planned, &site, &have, &want).await
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        let site = req.current.get("site_id").as_str().unwrap_or_default().to_string();
        match self.linked(ctx, &site).await {
            // No links left (removed outside Terraform) is as good as gone.
            Ok(Some(ids)) if ids.is_empty() => {
                ReadResponse { state: None, private: req.private, diags: Diagnostics::default() }
            }
            Ok(Some(ids)) => ReadResponse {
                state: Some(self.state(req.current, &site, ids)),
                private: req.private,
                diags: Diagnostics::default(),
            },
            Ok(None) => ReadResponse { state: None, private: req.private, diags: Diagnostics::default() },
            Err(d) => ReadResponse { state: Some(req.current.clone()), private: req.private, diags: d },
        }
    }

    async fn update(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let (old_site, new_site) = (
            req.prior.get("site_id").as_str().unwrap_or_default().to_string(),
            req.planned.get("site_id").as_str().unwrap_or_default().to_string(),
        );
        let have = strings(req.prior.get("collection_ids"));
        let want = strings(req.planned.get("collection_ids"));
        if old_site == new_site {
            return self.converge(ctx, req.planned, &new_site, &have, &want).await;
        }
        // Another site: link the new one first, so a failure never leaves both unlinked.
        let out = self.converge(ctx, req.planned, &new_site, &[], &want).await;
        if out.diags.has_errors() {
            return out;
        }
        for c in &have {
            if let Err(e) = self.unlink(ctx, &old_site, c).await {
                return ApplyResponse { diags: api_error_diag("update", &self.what(&old_site), e), ..out };
            }
        }
        out
    }

    async fn delete(&self, ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        let site = req.prior.get("site_id").as_str().unwrap_or_default().to_string();
        for c in strings(req.prior.get("collection_ids")) {
            if let Err(e) = self.unlink(ctx, &site, &c).await {
                return DeleteResponse { diags: api_error_diag("delete", &self.what(&site), e) };
            }
        }
        DeleteResponse { diags: Diagnostics::default() }
    }

    fn importer(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
}

impl ImportState for SiteLink {
    /// The import ID is the site's ID (as in the Go provider).
    fn import_key(&self, id: &str) -> Result<Value, Diagnostics> {
        if !crate::engine::schema::is_uuid(id) {
            return Err(Diagnostics::error(
                "Invalid import ID for luminate_collection_site_link",
                format!("Expected the site's ID (a UUID), got {id:?}."),
            ));
        }
        let mut key = Value::Object(Default::default());
        key.set("site_id", Value::str(id));
        key.set("collection_ids", Value::Null);
        Ok(key)
    }
}
