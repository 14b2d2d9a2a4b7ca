//! Every e-mail Vigie sends, in French and English: its subject, its paragraphs and its one
//! link, written as plain text and as HTML (the same words; the HTML through a template, so
//! every value is escaped).

use askama::Template;
use lettre::message::Mailbox;

use super::Outgoing;
use crate::domain::Lang;

#[derive(Template)]
#[template(path = "mail/message.html")]
struct Html<'a> {
    lang: &'a str,
    title: &'a str,
    paragraphs: &'a [String],
    link: Option<(&'a str, &'a str)>,
    footer: &'a str,
}

/// Who a message goes to.
#[derive(Debug, Clone)]
pub struct To<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub lang: Lang,
}

impl To<'_> {
    /// `"Name" <address>`, quoted as mail wants it.
    fn mailbox(&self) -> String {
        match self.email.parse() {
            Ok(address) => Mailbox::new(Some(self.name.to_owned()), address).to_string(),
            Err(_) => self.email.to_owned(),
        }
    }
}

fn footer(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => {
            "Ce message vient de Vigie, le site de votre rédaction. Vous le recevez parce que vous y avez un compte."
        }
        Lang::En => {
            "This message comes from Vigie, your newsroom's site. You receive it because you have an account there."
        }
    }
}

/// Puts a message together.
fn message(
    to: &To<'_>,
    subject: String,
    paragraphs: Vec<String>,
    link: Option<(&str, &str)>,
) -> Outgoing {
    let footer = footer(to.lang);
    let mut text = paragraphs.join("\n\n");
    if let Some((label, url)) = link {
        text.push_str(&format!("\n\n{label} :\n{url}"));
    }
    text.push_str(&format!("\n\n-- \n{footer}\n"));
    let html = Html {
        lang: to.lang.as_str(),
        title: &subject,
        paragraphs: &paragraphs,
        link,
        footer,
    }
    .render()
    .unwrap_or_else(|_| text.clone());
    Outgoing {
        to: to.mailbox(),
        subject,
        text,
        html,
    }
}

/// "Mot de passe oublié": a link valid one hour, once.
pub fn password_reset(to: &To<'_>, link: &str) -> Outgoing {
    match to.lang {
        Lang::Fr => message(
            to,
            "Choisir un nouveau mot de passe Vigie".to_owned(),
            vec![
                format!("Bonjour {},", to.name),
                "Quelqu’un — vous, sans doute — a demandé à changer le mot de passe de votre compte Vigie. Ce lien est valable une heure, une seule fois.".to_owned(),
                "Si ce n’est pas vous, ne faites rien : votre mot de passe ne change pas.".to_owned(),
            ],
            Some(("Choisir un nouveau mot de passe", link)),
        ),
        Lang::En => message(
            to,
            "Choose a new Vigie password".to_owned(),
            vec![
                format!("Hello {},", to.name),
                "Someone — you, most likely — asked to change the password of your Vigie account. This link works once, for one hour.".to_owned(),
                "If it was not you, do nothing: your password stays as it is.".to_owned(),
            ],
            Some(("Choose a new password", link)),
        ),
    }
}

/// An account an admin made: the link to choose a password (valid three days).
pub fn invitation(to: &To<'_>, inviter: &str, link: &str) -> Outgoing {
    match to.lang {
        Lang::Fr => message(
            to,
            "Votre compte Vigie".to_owned(),
            vec![
                format!("Bonjour {},", to.name),
                format!(
                    "{inviter} vous a ouvert un compte sur Vigie, le site de la rédaction. Choisissez votre mot de passe pour vous connecter ; le lien est valable trois jours, une seule fois."
                ),
            ],
            Some(("Choisir mon mot de passe", link)),
        ),
        Lang::En => message(
            to,
            "Your Vigie account".to_owned(),
            vec![
                format!("Hello {},", to.name),
                format!(
                    "{inviter} opened an account for you on Vigie, the newsroom's site. Choose your password to sign in; the link works once, for three days."
                ),
            ],
            Some(("Choose my password", link)),
        ),
    }
}

/// A new password link an admin asked for on someone's behalf (valid three days).
pub fn password_link(to: &To<'_>, admin: &str, link: &str) -> Outgoing {
    match to.lang {
        Lang::Fr => message(
            to,
            "Choisir un nouveau mot de passe Vigie".to_owned(),
            vec![
                format!("Bonjour {},", to.name),
                format!(
                    "{admin}, administrateur de Vigie, vous envoie un lien pour choisir un nouveau mot de passe. Il est valable trois jours, une seule fois ; votre mot de passe actuel fonctionne jusque-là."
                ),
                "Si vous n’avez rien demandé, prévenez la rédaction.".to_owned(),
            ],
            Some(("Choisir un nouveau mot de passe", link)),
        ),
        Lang::En => message(
            to,
            "Choose a new Vigie password".to_owned(),
            vec![
                format!("Hello {},", to.name),
                format!(
                    "{admin}, a Vigie admin, sends you a link to choose a new password. It works once, for three days; your current password works until then."
                ),
                "If you asked for nothing, tell the newsroom.".to_owned(),
            ],
            Some(("Choose a new password", link)),
        ),
    }
}

/// To editors: an article waits for review.
pub fn submitted(to: &To<'_>, title: &str, author: &str, link: &str) -> Outgoing {
    match to.lang {
        Lang::Fr => message(
            to,
            format!("À relire : {title}"),
            vec![format!("{author} a envoyé « {title} » en relecture.")],
            Some(("Relire l’article", link)),
        ),
        Lang::En => message(
            to,
            format!("To review: {title}"),
            vec![format!("{author} sent “{title}” for review.")],
            Some(("Review the article", link)),
        ),
    }
}

/// To the author: an editor sent the article back, with a note.
pub fn sent_back(to: &To<'_>, title: &str, editor: &str, note: &str, link: &str) -> Outgoing {
    let (subject, said, label) = match to.lang {
        Lang::Fr => (
            format!("À reprendre : {title}"),
            format!("{editor} vous renvoie « {title} » pour modifications."),
            "Ouvrir l’article",
        ),
        Lang::En => (
            format!("Sent back: {title}"),
            format!("{editor} sent “{title}” back to you for changes."),
            "Open the article",
        ),
    };
    let mut paragraphs = vec![said];
    if !note.trim().is_empty() {
        paragraphs.push(note.trim().to_owned());
    }
    message(to, subject, paragraphs, Some((label, link)))
}

/// To the author: the article is out (or will be, at its time).
pub fn published(to: &To<'_>, title: &str, editor: &str, link: &str) -> Outgoing {
    match to.lang {
        Lang::Fr => message(
            to,
            format!("Publié : {title}"),
            vec![format!("{editor} a publié « {title} ».")],
            Some(("Lire l’article", link)),
        ),
        Lang::En => message(
            to,
            format!("Published: {title}"),
            vec![format!("{editor} published “{title}”.")],
            Some(("Read the article", link)),
        ),
    }
}

/// A scheduled article the recipient signs came out at its time.
pub fn scheduled_out(to: &To<'_>, title: &str, link: &str) -> Outgoing {
    match to.lang {
        Lang::Fr => message(
            to,
            format!("Paru : {title}"),
            vec![format!("« {title} » est paru à l’heure prévue.")],
            Some(("Lire l’article", link)),
        ),
        Lang::En => message(
            to,
            format!("Out now: {title}"),
            vec![format!("“{title}” came out as scheduled.")],
            Some(("Read the article", link)),
        ),
    }
}

/// A colleague mentioned the recipient (`@nom`) in a note on an article.
pub fn mentioned(to: &To<'_>, title: &str, by: &str, note: &str, link: &str) -> Outgoing {
    match to.lang {
        Lang::Fr => message(
            to,
            format!("{by} vous mentionne : {title}"),
            vec![
                format!("{by} vous a mentionné dans une note sur « {title} » :"),
                note.to_owned(),
            ],
            Some(("Voir la note", link)),
        ),
        Lang::En => message(
            to,
            format!("{by} mentioned you: {title}"),
            vec![
                format!("{by} mentioned you in a note on “{title}”:"),
                note.to_owned(),
            ],
            Some(("See the note", link)),
        ),
    }
}

/// A change to how one signs in: the password, the second factor. `what` says which.
pub fn security_notice(to: &To<'_>, what: Security, account: &str) -> Outgoing {
    let (subject, said) = match (to.lang, what) {
        (Lang::Fr, Security::Password) => (
            "Votre mot de passe Vigie a changé",
            "Le mot de passe de votre compte Vigie vient de changer, et vos autres sessions sont fermées.",
        ),
        (Lang::Fr, Security::Email) => (
            "L’adresse de votre compte Vigie a changé",
            "Votre compte Vigie se connecte désormais avec une autre adresse e-mail que celle-ci.",
        ),
        (Lang::En, Security::Email) => (
            "Your Vigie account's address changed",
            "Your Vigie account now signs in with another e-mail address than this one.",
        ),
        (Lang::Fr, Security::SecondFactorOn) => (
            "Double authentification activée",
            "La double authentification est activée sur votre compte Vigie.",
        ),
        (Lang::Fr, Security::SecondFactorOff) => (
            "Double authentification désactivée",
            "La double authentification de votre compte Vigie est désactivée (par vous, ou par un administrateur).",
        ),
        (Lang::En, Security::Password) => (
            "Your Vigie password changed",
            "The password of your Vigie account just changed, and your other sessions were ended.",
        ),
        (Lang::En, Security::SecondFactorOn) => (
            "Two-factor sign-in turned on",
            "Two-factor sign-in is now on for your Vigie account.",
        ),
        (Lang::En, Security::SecondFactorOff) => (
            "Two-factor sign-in turned off",
            "Two-factor sign-in is off for your Vigie account (turned off by you, or by an admin).",
        ),
    };
    let check = match to.lang {
        Lang::Fr => {
            "Si ce n’est pas vous, prévenez tout de suite un administrateur de la rédaction."
        }
        Lang::En => "If it was not you, tell one of the newsroom's admins at once.",
    };
    let label = match to.lang {
        Lang::Fr => "Voir mon compte",
        Lang::En => "See my account",
    };
    message(
        to,
        subject.to_owned(),
        vec![said.to_owned(), check.to_owned()],
        Some((label, account)),
    )
}

/// A sign-in from a browser the account had not used before.
pub fn new_device(to: &To<'_>, device: &str, address: &str, account: &str) -> Outgoing {
    match to.lang {
        Lang::Fr => message(
            to,
            "Nouvelle connexion à votre compte Vigie".to_owned(),
            vec![
                format!("Votre compte Vigie vient d’être ouvert depuis un navigateur qu’il ne connaissait pas : {device}, adresse {address}."),
                "Si c’est vous, rien à faire. Sinon, fermez cette session depuis votre compte, changez votre mot de passe et prévenez un administrateur.".to_owned(),
            ],
            Some(("Voir mes sessions", account)),
        ),
        Lang::En => message(
            to,
            "New sign-in to your Vigie account".to_owned(),
            vec![
                format!("Your Vigie account was just opened from a browser it did not know: {device}, address {address}."),
                "If it was you, nothing to do. If not, end that session from your account, change your password and tell an admin.".to_owned(),
            ],
            Some(("See my sessions", account)),
        ),
    }
}

/// Which sign-in setting changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    Password,
    /// Sent to the address that was the account's until now.
    Email,
    SecondFactorOn,
    SecondFactorOff,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_says_the_same_in_text_and_html_with_everything_escaped() {
        let to = To {
            name: "Claire \"CD\" Dubois",
            email: "claire@vigie.example",
            lang: Lang::Fr,
        };
        let mail = submitted(
            &to,
            "<script>L’AI Act</script>",
            "Éric",
            "https://vigie.example/admin/review/1",
        );
        assert_eq!(mail.subject, "À relire : <script>L’AI Act</script>");
        assert!(
            mail.text
                .contains("Éric a envoyé « <script>L’AI Act</script> » en relecture.")
        );
        assert!(mail.text.contains("https://vigie.example/admin/review/1"));
        assert!(mail.html.contains("&#60;script&#62;"), "{}", mail.html);
        assert!(!mail.html.contains("<script>"));
        assert!(
            mail.html
                .contains("href=\"https://vigie.example/admin/review/1\"")
        );
        assert!(mail.to.contains("claire@vigie.example"), "{}", mail.to);
        let back: lettre::message::Mailbox = mail.to.parse().unwrap();
        assert_eq!(back.name.as_deref(), Some("Claire \"CD\" Dubois"));
        let en = password_reset(
            &To {
                lang: Lang::En,
                ..to
            },
            "https://vigie.example/password?token=x",
        );
        assert_eq!(en.subject, "Choose a new Vigie password");
        assert!(en.html.starts_with("<!doctype html>\n<html lang=\"en\">"));
    }
}
