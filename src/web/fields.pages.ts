import type { FieldDetails } from '../extended-fields/index.js';
import { outcome, type AdminOutcome } from './admin.pages.js';
import { html, type SafeHtml } from './html.js';
import { translator, type Translate } from './i18n.js';
import type { WebSession } from './session.service.js';
import { page } from './web.pages.js';

/**
 * The administrator's extended-fields page (docs/web.md, "The administrator's pages"): the
 * fields the org adds to its leads, and their translations.
 */

/** The translation form of one field: the language it was filled from, and the texts. */
export type TranslationForm = {
  field: string;
  language: string;
  /** The language whose translation filled the form ('' for a new one): blanks remove there. */
  filledFrom: string;
  label: string;
  values: string[];
};

/** The define form's values as typed. */
export type FieldForm = {
  name: string;
  label: string;
  dataType: string;
  required: boolean;
  values: string;
};

/** The form filled from `field`'s translation into `language`, or a blank one. */
export function translationFormOf(field: FieldDetails, language: string): TranslationForm {
  const translation = Object.hasOwn(field.translations, language)
    ? field.translations[language]
    : undefined;
  return {
    field: field.name,
    language: translation ? language : '',
    filledFrom: translation ? language : '',
    label: translation?.label ?? '',
    values: (field.values ?? []).map(({ value }) =>
      translation && Object.hasOwn(translation.values, value)
        ? (translation.values[value] ?? '')
        : '',
    ),
  };
}

function translations(field: FieldDetails, t: Translate): SafeHtml {
  const languages = Object.keys(field.translations);
  if (languages.length === 0) return html`<p class="muted">${t('No translation yet.')}</p>`;
  return html`<ul>
    ${languages.map((language) => {
      const translation = field.translations[language];
      const shown = Object.entries(translation?.values ?? {}).map(
        ([value, label]) => `${value} → ${label}`,
      );
      return html`<li>
        <strong>${language}</strong>: ${translation?.label ?? t('(the field’s own label)')}
        ${shown.length > 0 && html`· ${shown.join(', ')}`}
        <a
          href="/app/admin/fields?edit=${field.name}&amp;language=${language}#translate-${field.name}"
          aria-label="${t('Edit the {language} translation of {name}', {
            language,
            name: field.name,
          })}"
          >${t('Edit')}</a
        >
      </li>`;
    })}
  </ul>`;
}

function translationForm(
  session: WebSession,
  field: FieldDetails,
  form: TranslationForm,
  t: Translate,
): SafeHtml {
  const id = (part: string) => `${field.name}-${part}`;
  return html`<form
    method="post"
    action="/app/admin/fields/${field.name}/translations"
    class="stack"
    id="translate-${field.name}"
  >
    <h3>${t('Translate {name}', { name: field.name })}</h3>
    <input type="hidden" name="_csrf" value="${session.csrfToken}" />
    <input type="hidden" name="filledFrom" value="${form.filledFrom}" />
    <label for="${id('language')}">${t('Language (two letters, e.g. hi)')}</label>
    <input
      id="${id('language')}"
      name="language"
      required
      maxlength="2"
      size="4"
      value="${form.language}"
    />
    <label for="${id('label')}">${t('Label in that language')}</label>
    <input id="${id('label')}" name="label" maxlength="200" value="${form.label}" />
    ${(field.values ?? []).map(
      ({ value }, index) =>
        html`<label for="${id(`value-${index}`)}">${t('{value} shown as', { value })}</label>
          <input
            id="${id(`value-${index}`)}"
            name="value-${index}"
            maxlength="200"
            value="${form.values[index] ?? ''}"
          />`,
    )}
    <button type="submit" class="secondary">${t('Save translation')}</button>
  </form>`;
}

/** The org's lead fields with their translations, the form that defines one, and each one's. */
export function fieldsPage(
  session: WebSession,
  view: Omit<AdminOutcome, 'form'> & {
    fields: FieldDetails[];
    dataTypes: readonly string[];
    form: FieldForm;
    /** Per field name, its translation form as it is to be shown (else a blank one). */
    translationForms: Map<string, TranslationForm>;
  },
): SafeHtml {
  const t = translator(session.language);
  const { form } = view;
  return page(
    t('Extended fields'),
    html`<h1>${t('Extended fields')}</h1>
      ${outcome(view)}
      <p>
        ${t(
          'The org’s own fields on its leads. New lead and a lead’s page show them with their labels and values in the person’s language when a translation into it exists.',
        )}
      </p>
      <form method="post" action="/app/admin/fields" class="stack">
        <h2>${t('Define a field')}</h2>
        <input type="hidden" name="_csrf" value="${session.csrfToken}" />
        <label for="field-name">${t('Name (letters, digits, _; the API’s key)')}</label>
        <input
          id="field-name"
          name="name"
          required
          maxlength="64"
          pattern="[A-Za-z][A-Za-z0-9_]*"
          value="${form.name}"
        />
        <label for="field-label">${t('Label')}</label>
        <input id="field-label" name="label" maxlength="200" value="${form.label}" />
        <label for="field-type">${t('Type')}</label>
        <select id="field-type" name="dataType">
          ${view.dataTypes.map(
            (type) =>
              html`<option value="${type}" ${form.dataType === type ? html`selected` : ''}>
                ${type}
              </option>`,
          )}
        </select>
        <label class="check"
          ><input
            type="checkbox"
            name="required"
            value="on"
            ${form.required ? html`checked` : ''}
          />
          ${t('Required on every new lead')}</label
        >
        <label for="field-values">${t('Values (ENUM only, one per line)')}</label>
        <textarea id="field-values" name="values" rows="4">${form.values}</textarea>
        <button type="submit">${t('Define field')}</button>
      </form>
      <h2 id="fields">${t('The org’s fields ({count})', { count: view.fields.length })}</h2>
      <ul class="cards" aria-labelledby="fields">
        ${view.fields.map(
          (field) =>
            html`<li>
              <strong>${field.label}</strong> <code>${field.name}</code>
              <div class="meta">
                <span>${field.dataType}</span>
                ${field.required && html`<span class="status">${t('Required')}</span>`}
                ${
                  field.values &&
                  html`<span>${field.values.map((value) => value.value).join(', ')}</span>`
                }
              </div>
              ${translations(field, t)}
              ${translationForm(
                session,
                field,
                view.translationForms.get(field.name) ?? translationFormOf(field, ''),
                t,
              )}
            </li>`,
        )}
      </ul>`,
    session,
  );
}
