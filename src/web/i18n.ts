/**
 * The web app's own words in English and Hindi (docs/web.md, "Languages"). A text is looked up
 * by its English wording, so a page reads as it renders; `Text` is the set of wordings Hindi
 * has, so a page that uses a wording without its Hindi fails to compile. `{name}` marks a value
 * put in (escaped by the page's template like any other value).
 *
 * Lead statuses are shown by name ({@link statusName}). What people type (leads, reasons,
 * sub-statuses) and the API's other codes (types) are shown as they are; messages of the use
 * cases (a refused change) are the API's, in English.
 */

import type { LeadStatus } from '../db/schema.js';

/** The languages offered, each named in itself. */
export const LANGUAGES = { en: 'English', hi: 'हिन्दी' } as const;
export type Language = keyof typeof LANGUAGES;

/** The cookie that keeps a browser's choice (a year; the sign-in form reads it too). */
export const LANGUAGE_COOKIE = 'leadline_lang';

const HINDI = {
  // The frame of every page.
  'Skip to content': 'मुख्य सामग्री पर जाएँ',
  Sections: 'अनुभाग',
  Leads: 'लीड',
  Board: 'बोर्ड',
  'New lead': 'नई लीड',
  Dashboard: 'डैशबोर्ड',
  Admin: 'प्रशासन',
  'Sign out': 'साइन आउट',
  Language: 'भाषा',
  // Signing in.
  'Sign in': 'साइन इन',
  Username: 'यूज़रनेम',
  Password: 'पासवर्ड',
  'The username or password is wrong.': 'यूज़रनेम या पासवर्ड गलत है।',
  'Enter your username and password.': 'अपना यूज़रनेम और पासवर्ड लिखें।',
  'The form had expired. Please sign in again.': 'फ़ॉर्म की अवधि समाप्त हो गई। कृपया फिर से साइन इन करें।',
  'Too many sign-in attempts: {why}.': 'साइन इन की बहुत अधिक कोशिशें: {why}।',
  // Errors.
  'Error {status}': 'त्रुटि {status}',
  'Page not found': 'पेज नहीं मिला',
  'Something went wrong': 'कुछ गलत हो गया',
  'Back to the start': 'शुरुआत पर लौटें',
  'There is no page at this address.': 'इस पते पर कोई पेज नहीं है।',
  'The server could not answer; try again shortly.': 'सर्वर जवाब नहीं दे सका; थोड़ी देर में फिर कोशिश करें।',
  'The form had expired. Please try again.': 'फ़ॉर्म की अवधि समाप्त हो गई। कृपया फिर कोशिश करें।',
  // Today.
  Today: 'आज',
  'Welcome, {code}. You are signed in to {org} as a {type}.':
    'स्वागत है, {code}। आप {org} में {type} के रूप में साइन इन हैं।',
  'My leads': 'मेरी लीड',
  'All leads': 'सभी लीड',
  'Follow-ups due ({count})': 'बाकी फ़ॉलो-अप ({count})',
  'Nothing due today on the leads you own.': 'आपकी लीड पर आज कोई फ़ॉलो-अप बाकी नहीं है।',
  'Created today ({count})': 'आज बनाई गईं ({count})',
  'You have not recorded a lead today yet.': 'आपने आज अभी तक कोई लीड दर्ज नहीं की है।',
  'Also due in {store} ({count})': '{store} में और बाकी ({count})',
  'Nothing else is due today in your store.': 'आपके स्टोर में आज और कुछ बाकी नहीं है।',
  'Overdue since {when}': '{when} से बकाया',
  'Due {when}': '{when} तक',
  // Leads.
  'Owner {code}': 'मालिक {code}',
  'No owner': 'कोई मालिक नहीं',
  'Follow up {when}': 'फ़ॉलो-अप {when}',
  'Changed {when}': 'बदली गई {when}',
  'Record a new lead': 'नई लीड दर्ज करें',
  Search: 'खोजें',
  'A lead’s number (#123), or a shopper’s mobile or email':
    'लीड का नंबर (#123), या ग्राहक का मोबाइल या ईमेल',
  Status: 'स्थिति',
  Any: 'कोई भी',
  Type: 'प्रकार',
  'Only mine': 'सिर्फ़ मेरी',
  Show: 'दिखाएँ',
  'No lead matches.': 'कोई लीड नहीं मिली।',
  'Next page': 'अगला पेज',
  'There is no lead {number}.': 'लीड {number} नहीं है।',
  'No shopper has this email.': 'इस ईमेल का कोई ग्राहक नहीं है।',
  'No shopper has this mobile.': 'इस मोबाइल का कोई ग्राहक नहीं है।',
  'This is not an email we can read: {why}.': 'यह ईमेल पढ़ा नहीं जा सका: {why}।',
  'This is not a mobile we can read: {why}.': 'यह मोबाइल नंबर पढ़ा नहीं जा सका: {why}।',
  // A lead.
  'Lead #{id}': 'लीड #{id}',
  'Lead #{id}: {what}': 'लीड #{id}: {what}',
  'the system': 'सिस्टम',
  'entity {id}': 'इकाई {id}',
  Owner: 'मालिक',
  nobody: 'कोई नहीं',
  Customer: 'ग्राहक',
  Created: 'बनाई गई',
  '{when} by {who}': '{when}, {who} द्वारा',
  'Next follow-up': 'अगला फ़ॉलो-अप',
  none: 'कोई नहीं',
  'Change status': 'स्थिति बदलें',
  'New status': 'नई स्थिति',
  'Sub-status': 'उप-स्थिति',
  None: 'कोई नहीं',
  Reason: 'कारण',
  'Choose a reason': 'कारण चुनें',
  'Owner’s code (empty: nobody)': 'मालिक का कोड (खाली: कोई नहीं)',
  Reassign: 'फिर से सौंपें',
  'Add a follow-up': 'फ़ॉलो-अप जोड़ें',
  'What happened': 'क्या हुआ',
  'Next follow-up ({zone})': 'अगला फ़ॉलो-अप ({zone})',
  'Add follow-up': 'फ़ॉलो-अप जोड़ें',
  History: 'इतिहास',
  'for “{reason}”, by {who}': 'कारण “{reason}”, {who} द्वारा',
  'Followed up by {who}': '{who} ने फ़ॉलो-अप किया',
  'Older entries are not shown.': 'पुरानी प्रविष्टियाँ नहीं दिखाई गई हैं।',
  'Lead saved.': 'लीड सहेजी गई।',
  'Status changed.': 'स्थिति बदली गई।',
  'Follow-up added.': 'फ़ॉलो-अप जोड़ा गया।',
  'Owner changed.': 'मालिक बदला गया।',
  'Someone changed this lead since you opened it: check its status and try again.':
    'आपके खोलने के बाद किसी ने यह लीड बदल दी है: इसकी स्थिति देखें और फिर कोशिश करें।',
  // New lead.
  '(required)': '(ज़रूरी)',
  'Not given': 'नहीं दिया गया',
  Yes: 'हाँ',
  No: 'नहीं',
  'This shopper has no open lead.': 'इस ग्राहक की कोई खुली लीड नहीं है।',
  'This shopper’s open leads ({count})': 'इस ग्राहक की खुली लीड ({count})',
  'Shopper’s mobile or email': 'ग्राहक का मोबाइल या ईमेल',
  'What the shopper wants': 'ग्राहक क्या चाहता है',
  'Save lead': 'लीड सहेजें',
  // The board.
  'Move lead #{id} to another status': 'लीड #{id} को दूसरी स्थिति में ले जाएँ',
  'Move…': 'ले जाएँ…',
  'Lead #{id} moved.': 'लीड #{id} ले जाई गई।',
  'Board filters': 'बोर्ड फ़िल्टर',
  'None.': 'कोई नहीं।',
  'All {status} leads': 'सभी {status} लीड',
  'Move lead': 'लीड ले जाएँ',
  'Move lead #{id}': 'लीड #{id} ले जाएँ',
  Move: 'ले जाएँ',
  Cancel: 'रद्द करें',
  // The dashboard.
  'Dashboard: {scope}': 'डैशबोर्ड: {scope}',
  Scope: 'दायरा',
  'Leads created in the last': 'पिछले इतने दिनों में बनी लीड:',
  '{days} days': '{days} दिन',
  Funnel: 'फ़नल',
  'Download {report} (CSV)': '{report} डाउनलोड करें (CSV)',
  'Leads created and how far they got': 'बनी लीड और वे कहाँ तक पहुँचीं',
  'Funnel figures': 'फ़नल के आँकड़े',
  Step: 'चरण',
  'Of created': 'बनी लीड में से',
  'Put on hold': 'रोकी गईं',
  Won: 'जीती गईं',
  Lost: 'खोई गईं',
  'No lead was created in this period.': 'इस अवधि में कोई लीड नहीं बनी।',
  Zone: 'ज़ोन',
  Store: 'स्टोर',
  Associate: 'सहयोगी',
  'By {part}': '{part} के अनुसार',
  'Figures by {part}': '{part} के अनुसार आँकड़े',
  'Open now': 'अभी खुली',
  'Won of created': 'बनी लीड में से जीती गईं',
  'No {part}': 'कोई {part} नहीं',
  'Nothing to show in this period.': 'इस अवधि में दिखाने को कुछ नहीं है।',
  'Win rate over time': 'समय के साथ जीत दर',
  'Won among the leads closed, by week of creation': 'बंद हुई लीड में से जीती गईं, बनने के सप्ताह के अनुसार',
  'Won among the leads closed, by month of creation': 'बंद हुई लीड में से जीती गईं, बनने के महीने के अनुसार',
  '{share} of {count}': '{count} में से {share}',
  'Win rate figures': 'जीत दर के आँकड़े',
  'Week of': 'सप्ताह',
  Month: 'महीना',
  'Win rate': 'जीत दर',
  'No lead of this period is won or lost yet.': 'इस अवधि की कोई लीड अभी तक जीती या खोई नहीं गई है।',
  'Lost reasons': 'खोने के कारण',
  'Leads lost, by reason': 'खोई गई लीड, कारण के अनुसार',
  'Lost reason figures': 'खोने के कारणों के आँकड़े',
  Share: 'हिस्सा',
  'No lead of this period was lost.': 'इस अवधि में कोई लीड नहीं खोई गई।',
  'Unfulfilled demand': 'अधूरी माँग',
  'What shoppers asked for and did not get: leads lost for a reason marked “not available”, and leads still open.':
    'ग्राहकों ने जो माँगा और नहीं मिला: “उपलब्ध नहीं” चिह्नित कारण से खोई गई लीड, और अभी खुली लीड।',
  'Most asked for, not sold': 'सबसे ज़्यादा माँगा गया, बिका नहीं',
  'Unfulfilled demand figures': 'अधूरी माँग के आँकड़े',
  'Asked for': 'माँगा गया',
  'Still open': 'अभी खुली',
  'No unfulfilled demand in this period.': 'इस अवधि में कोई अधूरी माँग नहीं।',
  'Overdue follow-ups': 'बकाया फ़ॉलो-अप',
  '{overdue} open leads are past their next follow-up; {due} more are due today. Follow-ups done on time: {share}.':
    '{overdue} खुली लीड का अगला फ़ॉलो-अप बीत चुका है; {due} और आज बाकी हैं। समय पर हुए फ़ॉलो-अप: {share}।',
  'Open leads past their follow-up, by how long': 'फ़ॉलो-अप बीत चुकी खुली लीड, कितनी देर से',
  'Overdue follow-up figures': 'बकाया फ़ॉलो-अप के आँकड़े',
  'Overdue by': 'कितना बकाया',
  'Up to a day': 'एक दिन तक',
  '1 to 3 days': '1 से 3 दिन',
  '3 to 7 days': '3 से 7 दिन',
  'Over 7 days': '7 दिन से ज़्यादा',
  'There is no zone or store {code}.': 'ज़ोन या स्टोर {code} नहीं है।',
  'There is no one with the code {code}.': 'कोड {code} का कोई नहीं है।',
  // Administration.
  Administration: 'प्रशासन',
  Reasons: 'कारण',
  'Audit log': 'ऑडिट लॉग',
  'People and tills': 'लोग और टिल',
  'Places, people and tills: add one, disable or enable those who sign in, set a password.':
    'जगहें, लोग और टिल: जोड़ें, साइन इन करने वालों को बंद या चालू करें, पासवर्ड बदलें।',
  'Add one': 'एक जोड़ें',
  'Code (the username of those who sign in)': 'कोड (साइन इन करने वालों का यूज़रनेम)',
  'Parent’s code (a store or zone; empty: none)': 'ऊपर वाले का कोड (स्टोर या ज़ोन; खाली: कोई नहीं)',
  'Password (for those who sign in)': 'पासवर्ड (साइन इन करने वालों के लिए)',
  Add: 'जोड़ें',
  'The org’s entities': 'संगठन की इकाइयाँ',
  'under {parent}': '{parent} के अंतर्गत',
  Disabled: 'बंद',
  Enable: 'चालू करें',
  Disable: 'बंद करें',
  'New password for {code}': '{code} का नया पासवर्ड',
  'Set password': 'पासवर्ड बदलें',
  'Previous page': 'पिछला पेज',
  'Added.': 'जोड़ा गया।',
  'Disabled: its sessions have ended.': 'बंद किया गया: इसके सत्र समाप्त हो गए।',
  'Enabled.': 'चालू किया गया।',
  'Password set: its sessions have ended.': 'पासवर्ड बदला गया: इसके सत्र समाप्त हो गए।',
  'Every administrative change: who made it, when, and what it was.':
    'हर प्रशासनिक बदलाव: किसने किया, कब, और क्या था।',
  'No administrative change yet.': 'अभी तक कोई प्रशासनिक बदलाव नहीं।',
  'by {who}': '{who} द्वारा',
  'the command line': 'कमांड लाइन',
  Newer: 'नए',
  Older: 'पुराने',
  'Why a lead changes status; which reasons mean the store could not sell what the shopper wanted.':
    'लीड की स्थिति क्यों बदलती है; किन कारणों का मतलब है कि स्टोर ग्राहक की चाही चीज़ नहीं बेच सका।',
  'Sub-statuses': 'उप-स्थितियाँ',
  'The finer states associates choose for each status.':
    'हर स्थिति के भीतर की बारीक स्थितियाँ, जिन्हें सहयोगी चुनते हैं।',
  'Extended fields': 'विस्तारित फ़ील्ड',
  'The org’s own fields on its leads, and their labels in other languages.':
    'संगठन की लीड पर उसके अपने फ़ील्ड, और दूसरी भाषाओं में उनके लेबल।',
  // Extended fields.
  'Field defined: New lead asks for it now.': 'फ़ील्ड बनाया गया: नई लीड अब इसे पूछती है।',
  'Translation saved.': 'अनुवाद सहेजा गया।',
  'Type a label or a value’s text to save.': 'सहेजने के लिए कोई लेबल या किसी मान का पाठ लिखें।',
  'No translation yet.': 'अभी कोई अनुवाद नहीं।',
  '(the field’s own label)': '(फ़ील्ड का अपना लेबल)',
  'Edit the {language} translation of {name}': '{name} का {language} अनुवाद बदलें',
  Edit: 'बदलें',
  'Translate {name}': '{name} का अनुवाद',
  'Language (two letters, e.g. hi)': 'भाषा (दो अक्षर, जैसे hi)',
  'Label in that language': 'उस भाषा में लेबल',
  '{value} shown as': '{value} इस रूप में दिखे',
  'Save translation': 'अनुवाद सहेजें',
  'The org’s own fields on its leads. New lead and a lead’s page show them with their labels and values in the person’s language when a translation into it exists.':
    'संगठन की लीड पर उसके अपने फ़ील्ड। नई लीड और लीड का पेज इन्हें व्यक्ति की भाषा में लेबल और मानों के साथ दिखाते हैं, जब उस भाषा में अनुवाद हो।',
  'Define a field': 'फ़ील्ड बनाएँ',
  'Name (letters, digits, _; the API’s key)': 'नाम (अक्षर, अंक, _; API की कुंजी)',
  Label: 'लेबल',
  'Required on every new lead': 'हर नई लीड पर ज़रूरी',
  'Values (ENUM only, one per line)': 'मान (सिर्फ़ ENUM, हर पंक्ति में एक)',
  'Define field': 'फ़ील्ड बनाएँ',
  'The org’s fields ({count})': 'संगठन के फ़ील्ड ({count})',
  Required: 'ज़रूरी',
  Settings: 'सेटिंग',
  'Auto-close, the country of mobile numbers, the time zone, limits and retention.':
    'अपने-आप बंद होना, मोबाइल नंबरों का देश, समय क्षेत्र, सीमाएँ और रखने की अवधि।',
  'OAuth clients': 'OAuth क्लाइंट',
  'Keys other systems use to call the API as one of the org’s tills or people.':
    'कुंजियाँ जिनसे दूसरे सिस्टम संगठन के किसी टिल या व्यक्ति के रूप में API बुलाते हैं।',
  Webhooks: 'वेबहुक',
  'Where lead events are sent: endpoints, their health, every delivery, replay.':
    'लीड की घटनाएँ कहाँ भेजी जाती हैं: एंडपॉइंट, उनकी सेहत, हर डिलीवरी, दोबारा भेजना।',
  // Settings.
  'Settings saved.': 'सेटिंग सहेजी गईं।',
  'Nothing to save: the settings are as they were.': 'सहेजने को कुछ नहीं: सेटिंग पहले जैसी हैं।',
  'Auto-close after (days)': 'इतने दिन बाद अपने-आप बंद करें',
  'OPEN and ON_HOLD leads unchanged this many days are closed as LOST. Empty: never.':
    'इतने दिन तक न बदली OPEN और ON_HOLD लीड LOST के रूप में बंद होती हैं। खाली: कभी नहीं।',
  'Country of mobile numbers': 'मोबाइल नंबरों का देश',
  'Two letters, e.g. IN: the country of a mobile number given without its prefix. Empty: none.':
    'दो अक्षर, जैसे IN: बिना देश-कोड के दिए मोबाइल नंबर का देश। खाली: कोई नहीं।',
  'Time zone': 'समय क्षेत्र',
  'An IANA name, e.g. Asia/Kolkata: the reports’ days, weeks and months, and the pages’ times. Empty: UTC.':
    'IANA नाम, जैसे Asia/Kolkata: रिपोर्ट के दिन, सप्ताह और महीने, और पेजों के समय। खाली: UTC।',
  'Requests per minute per credential': 'हर क्रेडेंशियल के लिए प्रति मिनट अनुरोध',
  'Empty: this deployment’s default ({n}).': 'खाली: इस इंस्टॉलेशन का डिफ़ॉल्ट ({n})।',
  'Days lead events are kept': 'लीड की घटनाएँ कितने दिन रखी जाएँ',
  'For the event feed and webhook replay. Empty: the default ({n}).':
    'इवेंट फ़ीड और वेबहुक दोबारा भेजने के लिए। खाली: डिफ़ॉल्ट ({n})।',
  'Lead changes through the API must send If-Match (the lead’s ETag)':
    'API से लीड बदलते समय If-Match (लीड का ETag) भेजना ज़रूरी हो',
  'Save settings': 'सेटिंग सहेजें',
  'no limit': 'कोई सीमा नहीं',
  // OAuth clients and webhooks.
  'Client revoked: its tokens no longer work.': 'क्लाइंट रद्द किया गया: उसके टोकन अब काम नहीं करते।',
  'Endpoint enabled: events from now on are sent to it.':
    'एंडपॉइंट चालू किया गया: अब से घटनाएँ उसे भेजी जाएँगी।',
  'Endpoint disabled: nothing is sent to it until it is enabled.':
    'एंडपॉइंट बंद किया गया: चालू होने तक उसे कुछ नहीं भेजा जाएगा।',
  'Endpoint deleted.': 'एंडपॉइंट हटाया गया।',
  'A client exchanges its key and secret at /v3/oauth/token/generate for a short-lived token, and calls the API as the entity it was made for, with that entity’s rights and limits.':
    'क्लाइंट अपनी कुंजी और सीक्रेट /v3/oauth/token/generate पर देकर थोड़े समय का टोकन पाता है, और जिस इकाई के लिए बना है उसी के रूप में, उसी के अधिकारों और सीमाओं के साथ API बुलाता है।',
  'Add an endpoint': 'एंडपॉइंट जोड़ें',
  'Add client': 'क्लाइंट जोड़ें',
  'Add endpoint': 'एंडपॉइंट जोड़ें',
  'Client {key} added.': 'क्लाइंट {key} जोड़ा गया।',
  'Code of the till or person it acts as': 'जिस टिल या व्यक्ति के रूप में यह काम करेगा, उसका कोड',
  'Copy it now: Leadline keeps only a hash of it and cannot show it again.':
    'इसे अभी कॉपी करें: Leadline सिर्फ़ इसका हैश रखता है और इसे दोबारा नहीं दिखा सकता।',
  'Copy it now: this page is the only one that shows it.':
    'इसे अभी कॉपी करें: इसे सिर्फ़ यही पेज दिखाता है।',
  Delete: 'हटाएँ',
  Deliveries: 'डिलीवरी',
  Description: 'विवरण',
  Enabled: 'चालू',
  'Endpoint added: events from now on are sent to it.': 'एंडपॉइंट जोड़ा गया: अब से घटनाएँ उसे भेजी जाएँगी।',
  'Events to send (none ticked: every type)': 'भेजी जाने वाली घटनाएँ (कोई न चुनें: हर प्रकार)',
  From: 'से',
  'New secret made. Deliveries are signed with the old one too until {until}, so the receiver can switch without a gap.':
    'नया सीक्रेट बना। {until} तक डिलीवरी पुराने सीक्रेट से भी हस्ताक्षरित होंगी, ताकि पाने वाला बिना रुकावट बदल सके।',
  'New secret': 'नया सीक्रेट',
  'New signing secret of endpoint {id}': 'एंडपॉइंट {id} का नया हस्ताक्षर सीक्रेट',
  'No delivery yet.': 'अभी कोई डिलीवरी नहीं।',
  Revoke: 'रद्द करें',
  Revoked: 'रद्द',
  'Secret of {key}': '{key} का सीक्रेट',
  'Send again the events of a time range': 'किसी समय-अवधि की घटनाएँ दोबारा भेजें',
  'Send again': 'दोबारा भेजें',
  'Sent again: {n} deliveries made.': 'दोबारा भेजा गया: {n} डिलीवरी बनीं।',
  'Signing secret of {url}': '{url} का हस्ताक्षर सीक्रेट',
  'The client’s secret': 'क्लाइंट का सीक्रेट',
  'The endpoint’s new signing secret': 'एंडपॉइंट का नया हस्ताक्षर सीक्रेट',
  'The endpoint’s signing secret': 'एंडपॉइंट का हस्ताक्षर सीक्रेट',
  'The org’s clients ({count})': 'संगठन के क्लाइंट ({count})',
  'The org’s endpoints ({count})': 'संगठन के एंडपॉइंट ({count})',
  To: 'तक',
  'URL (https)': 'URL (https)',
  'Webhook deliveries': 'वेबहुक डिलीवरी',
  'acts as {code}': '{code} के रूप में',
  any: 'कोई भी',
  'failing since {when}': '{when} से विफल',
  'in {ms} ms': '{ms} ms में',
  'next attempt {when}': 'अगली कोशिश {when}',
  'no answer': 'कोई उत्तर नहीं',
  'no attempt in 24 h': '24 घंटे में कोई कोशिश नहीं',
  replay: 'दोबारा भेजा',
  '{name}: a date and time': '{name}: तारीख और समय',
  '{n} delivered': '{n} पहुँचीं',
  '{n} given up': '{n} छोड़ी गईं',
  '{n} pending': '{n} बाकी',
  '{rate} % of {n} attempts succeeded in 24 h': '24 घंटे में {n} कोशिशों में से {rate} % सफल',
  'Associates choose one of these whenever they change a lead’s status. A reason marked “not available” means the shopper wanted what the store could not sell: leads lost for it count as unfulfilled demand in the reports.':
    'लीड की स्थिति बदलते समय सहयोगी इनमें से एक चुनते हैं। “उपलब्ध नहीं” चिह्नित कारण का मतलब है कि ग्राहक जो चाहता था वह स्टोर नहीं बेच सका: उस कारण से खोई गई लीड रिपोर्ट में अधूरी माँग गिनी जाती हैं।',
  'New reason': 'नया कारण',
  'Add reason': 'कारण जोड़ें',
  'The org’s reasons ({count})': 'संगठन के कारण ({count})',
  'System reason: leads close with it for what happened to them':
    'सिस्टम कारण: लीड इससे अपने साथ हुई घटना के कारण बंद होती हैं',
  'Not available': 'उपलब्ध नहीं',
  'Not marked “not available”': '“उपलब्ध नहीं” चिह्नित नहीं',
  'Clear “not available”': '“उपलब्ध नहीं” हटाएँ',
  'Mark not available': '“उपलब्ध नहीं” चिह्नित करें',
  'A sub-status says more about where a lead stands than its status does (WON: “Paid at the till”; ON_HOLD: “Awaiting stock”). Associates choose among the sub-statuses of the status they set; a sub-status added here can be chosen at once.':
    'उप-स्थिति बताती है कि लीड अपनी स्थिति के भीतर कहाँ है (WON: “टिल पर भुगतान”; ON_HOLD: “स्टॉक का इंतज़ार”)। सहयोगी अपनी चुनी स्थिति की उप-स्थितियों में से चुनते हैं; यहाँ जोड़ी गई उप-स्थिति तुरंत चुनी जा सकती है।',
  'New sub-status': 'नई उप-स्थिति',
  'Add sub-status': 'उप-स्थिति जोड़ें',
  'The org has no sub-status yet.': 'संगठन की अभी कोई उप-स्थिति नहीं है।',
  'Reason added.': 'कारण जोड़ा गया।',
  'The org has this reason already.': 'संगठन के पास यह कारण पहले से है।',
  'Reason changed.': 'कारण बदला गया।',
  'Sub-status added: associates can choose it now.': 'उप-स्थिति जोड़ी गई: सहयोगी अब इसे चुन सकते हैं।',
  'The org has this sub-status already.': 'संगठन के पास यह उप-स्थिति पहले से है।',
  'Only an administrator of the org may use this page.':
    'यह पेज सिर्फ़ संगठन के प्रशासक इस्तेमाल कर सकते हैं।',
  'status: choose a status': 'स्थिति: एक स्थिति चुनें',
} as const;

/** A wording of the app's own, as written in English. */
export type Text = keyof typeof HINDI;

/** Puts `values` into `{name}` places. */
function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}

/** The words of one language, and which language that is. */
export type Translate = ((text: Text, values?: Record<string, string | number>) => string) & {
  readonly language: Language;
};

const TRANSLATORS: Record<Language, Translate> = {
  en: Object.assign((text: Text, values = {}) => fill(text, values), { language: 'en' as const }),
  hi: Object.assign((text: Text, values = {}) => fill(HINDI[text], values), {
    language: 'hi' as const,
  }),
};

/**
 * A lead status as people read it. The API's codes (`ON_HOLD`) stay the values forms send and
 * links carry; pages show these names. Apart from the other wordings because Hindi agrees them
 * with one lead ("जीती गई") where the dashboard's counts are plural ("जीती गईं").
 */
const STATUS_NAMES: Record<Language, Record<LeadStatus, string>> = {
  en: { OPEN: 'Open', ON_HOLD: 'On hold', WON: 'Won', LOST: 'Lost', DELETED: 'Deleted' },
  hi: { OPEN: 'खुली', ON_HOLD: 'रुकी हुई', WON: 'जीती गई', LOST: 'खोई गई', DELETED: 'हटाई गई' },
};

/** The name of `status` in `t`'s language; a code that is no status is shown as it is. */
export function statusName(status: string, t: Translate): string {
  const names = STATUS_NAMES[t.language];
  return Object.hasOwn(names, status) ? names[status as LeadStatus] : status;
}

export function translator(language: Language): Translate {
  return TRANSLATORS[language];
}

const isLanguage = (value: string): value is Language => Object.hasOwn(LANGUAGES, value);

/**
 * The language of a request: the browser's choice (the cookie), else the first of English or
 * Hindi that `Accept-Language` names, else English.
 */
export function languageOf(cookie: string | undefined, acceptLanguage: string | undefined) {
  if (cookie !== undefined && isLanguage(cookie)) return cookie;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const [tag, ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (parameters.some((p) => p === 'q=0' || p === 'q=0.0' || p === 'q=0.00')) continue;
    const primary = (tag ?? '').split('-')[0] ?? '';
    if (isLanguage(primary)) return primary;
  }
  return 'en';
}

/** The language a `?to=` names, if it is one offered. */
export function chosenLanguage(value: string): Language | undefined {
  return isLanguage(value) ? value : undefined;
}
