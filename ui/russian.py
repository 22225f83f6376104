"""The words Streamlit 1.67 and plotly draw in English, in Russian.

Neither has a language option: their own labels — a searchable list's «No results», a
multiselect's «Clear all» and «Remove …», the sidebar's «Collapse sidebar», a chart's
toolbar, the date picker's and the uploader's hidden texts, the skip link — reach people
through tooltips (``title``, plotly's ``data-title``) and screen readers (``aria-label``,
visually hidden text). A script in the page translates them as they appear, watching the
page for new elements; words of the dashboard's own are never touched (the table holds
English phrases only). Material icon names drawn as text («info», «edit») are hidden from
screen readers, as Streamlit does for most of its icons."""

from __future__ import annotations

import json

import streamlit as st

# Whole texts and attribute values, exactly as Streamlit and plotly write them.
WORDS: dict[str, str] = {
    "Skip to main content": "Перейти к содержимому",
    "Sidebar": "Боковая панель",
    "Collapse sidebar": "Свернуть боковую панель",
    "Expand sidebar": "Развернуть боковую панель",
    "Help": "Пояснение",
    "Choose an option": "Выберите значение",
    "Choose options": "Выберите значения",
    "Open": "Открыть",
    "Close": "Закрыть",
    "Clear": "Очистить",
    "Clear all": "Очистить всё",
    "Clear value": "Очистить",
    "Selected values": "Выбранные значения",
    "No results": "Ничего не найдено",
    "No options to select": "Нет вариантов для выбора",
    "Link to heading": "Ссылка на раздел",
    "Upload": "Выбрать файлы",
    "Browse files": "Выбрать файлы",
    "Drag and drop files here": "Перетащите файлы сюда",
    "file upload": "Загрузка файлов",
    "Choose date": "Выбрать дату",
    "Increment": "Увеличить",
    "Decrement": "Уменьшить",
    "Scroll tabs right": "Прокрутить вкладки вправо",
    "Scroll tabs left": "Прокрутить вкладки влево",
    "Show/hide columns": "Показать или скрыть столбцы",
    "Search": "Поиск",
    "Fullscreen": "Во весь экран",
    "Close fullscreen": "Выйти из полноэкранного режима",
    "Exit fullscreen": "Выйти из полноэкранного режима",
    "Download plot as a PNG": "Скачать диаграмму (PNG)",
    "Zoom": "Выделить область",
    "Pan": "Сдвинуть",
    "Zoom in": "Увеличить",
    "Zoom out": "Уменьшить",
    "Autoscale": "Вписать",
    "Reset axes": "Сбросить оси",
    "Box Select": "Выделить прямоугольником",
    "Lasso Select": "Выделить лассо",
    "Reset view": "Исходный вид",
    "Produced with Plotly.js": "Построено в Plotly.js",
}

# Texts with a varying part: a JavaScript regular expression and its replacement.
PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^Help for (.*)$", "Пояснение: $1"),
    (r"^Remove (.*)$", "Убрать «$1»"),
    (r"^day, (.*)$", "день, $1"),
    (r"^month, (.*)$", "месяц, $1"),
    (r"^year, (.*)$", "год, $1"),
    (r"^(\d+(?:[.,]\d+)?) ?MB per file$", "не больше $1 МБ на файл"),
    (r"^Selected Date: (.*)$", "Выбрана дата: $1"),
    (r"^Selected date range: (.*)$", "Выбран период: $1"),
    # A button's keyboard shortcut (the meeting's «Назад» and «Далее»: ← →).
    (r"^Shortcut (.*)$", "Клавиша $1"),
    # A card's label reaches its «?» button with the status mark's markdown.
    (r":[a-z]+-badge\[([^\]]*)\]", "$1"),
)

_SCRIPT = r"""<script>
(() => {
  if (window.__monitoringRussian) return;
  window.__monitoringRussian = true;
  const words = %(words)s;
  const patterns = %(patterns)s.map(([p, r]) => [new RegExp(p), r]);
  const months = {January: '01', February: '02', March: '03', April: '04', May: '05',
    June: '06', July: '07', August: '08', September: '09', October: '10',
    November: '11', December: '12'};
  const dates = new RegExp(
    String.raw`(${Object.keys(months).join('|')}) (\d{1,2}), (\d{4})`, 'g');
  const russian = text => {
    const trimmed = text.trim();
    if (!trimmed) return text;
    if (words[trimmed] !== undefined) return text.replace(trimmed, words[trimmed]);
    let result = text;
    for (const [pattern, replacement] of patterns) result = result.replace(pattern, replacement);
    return result.replace(dates, (_, m, d, y) => `${d.padStart(2, '0')}.${months[m]}.${y}`);
  };
  const attributes = ['aria-label', 'title', 'placeholder', 'data-title', 'alt'];
  const icon = el => /Material Symbols|Material Icons/.test(getComputedStyle(el).fontFamily);
  const element = el => {
    for (const name of attributes) {
      const value = el.getAttribute(name);
      if (value) {
        const changed = russian(value);
        if (changed !== value) el.setAttribute(name, changed);
      }
    }
  };
  const text = node => {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style')) return;
    if (icon(parent)) {
      if (parent.getAttribute('aria-hidden') !== 'true') parent.setAttribute('aria-hidden', 'true');
      return;
    }
    const changed = russian(node.textContent);
    if (changed !== node.textContent) node.textContent = changed;
  };
  const walk = root => {
    if (root.nodeType === Node.TEXT_NODE) return text(root);
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    element(root);
    for (const el of root.querySelectorAll('*')) element(el);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) text(walker.currentNode);
  };
  walk(document.body);
  new MutationObserver(changes => {
    for (const change of changes) {
      if (change.type === 'attributes') element(change.target);
      else if (change.type === 'characterData') text(change.target);
      else change.addedNodes.forEach(walk);
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true,
                             attributes: true, attributeFilter: attributes});
})();
</script>"""


def install() -> None:
    """Put the translating script into the page (it runs once per browser tab)."""
    script = _SCRIPT % {"words": json.dumps(WORDS), "patterns": json.dumps(PATTERNS)}
    st.html(script, unsafe_allow_javascript=True)
