//! The bodies of webhook events, made the first time an event is sent (see `crate::webhooks`):
//! `{"type", "timestamp", "data"}` as Standard Webhooks has them, `data` holding what the event
//! is about (`id`, `slug`, `title`, or a tag's `name` and `kind`) and, for an article readers
//! can read, the article exactly as the content API shows it (`data.article`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::{Value, json};
use sqlx::PgPool;
use time::format_description::well_known::Rfc3339;

use crate::config::Config;
use crate::domain::Slug;
use crate::store::articles::public::{self, Lookup};
use crate::store::webhooks::Claimed;

pub(crate) struct ApiPayloads {
    pub pool: PgPool,
    pub config: Arc<Config>,
}

impl crate::webhooks::Payloads for ApiPayloads {
    fn payload<'a>(
        &'a self,
        claimed: &'a Claimed,
    ) -> Pin<Box<dyn Future<Output = anyhow::Result<Value>> + Send + 'a>> {
        Box::pin(async move {
            let mut data = claimed.subject.clone();
            if let (Some(id), Value::Object(fields)) = (claimed.article_id, &mut data)
                && let Some(article) = readable(&self.pool, &self.config, id).await?
            {
                fields.insert("article".to_owned(), article);
            }
            Ok(json!({
                "type": claimed.event_type,
                "timestamp": claimed.occurred_at.format(&Rfc3339)?,
                "data": data,
            }))
        })
    }
}

/// Article `id` as `GET /api/v1/articles/{slug}` shows it, if readers can read it now.
async fn readable(pool: &PgPool, config: &Config, id: uuid::Uuid) -> anyhow::Result<Option<Value>> {
    let mut conn = pool.acquire().await?;
    let Some(noticed) = crate::store::articles::desk::noticed(&mut conn, id).await? else {
        return Ok(None);
    };
    drop(conn);
    let Ok(slug) = Slug::parse(&noticed.slug) else {
        return Ok(None);
    };
    let Lookup::Found(found) = public::find_published(pool, &slug, config.related_count).await?
    else {
        return Ok(None);
    };
    let (shown, _) = super::api_article(pool, config, found).await?;
    Ok(Some(serde_json::to_value(shown.article)?))
}
